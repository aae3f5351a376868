"""Older clients, unmodified: Debian bookworm's Go clients, built for Kafka 3.x and older, against the real
broker process. sarama 1.22.1 in its defaults speaks Produce v0 (magic-0 message sets), Fetch v0, ListOffsets
v0, OffsetFetch v1 and OffsetCommit v1; kafka-go 0.2.1 speaks CreateTopics v0, Produce v2 (magic 1), Fetch
v2, JoinGroup v1, SyncGroup/Heartbeat/LeaveGroup v0, OffsetCommit v2. The test programs (compat/go/) are
built once per run, offline in GOPATH mode, into a temporary directory."""
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

from conftest import REPO, kcat

GOPATH = "/usr/share/gocode"


@pytest.fixture(scope="module")
def go_clients():
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is missing: scripts/setup.sh installs golang-go")
    out = tempfile.mkdtemp(prefix="compat-go-")
    env = dict(os.environ, GO111MODULE="off", GOPATH=GOPATH, GOFLAGS="", GOCACHE=os.path.join(out, "cache"), CGO_ENABLED="1")
    binaries = {}
    for name in ("sarama", "kafkago"):
        path = os.path.join(out, name)
        result = subprocess.run(["go", "build", "-o", path, f"./compat/go/{name}"], cwd=REPO, env=env,
                                capture_output=True, timeout=600)
        assert result.returncode == 0, f"go build {name} failed:\n{result.stderr.decode()}"
        binaries[name] = path
    yield binaries
    shutil.rmtree(out, ignore_errors=True)


def run(binary, *args, timeout=120):
    result = subprocess.run([binary, *args], capture_output=True, timeout=timeout)
    assert result.returncode == 0, f"{os.path.basename(binary)} {' '.join(args)} failed:\n{result.stderr.decode()}"
    return result.stdout.decode().split("\n")


def consumed(lines):
    """(partition, offset, value) of each "partition offset value" line."""
    return [(int(p), int(o), v) for p, o, v in (line.split(" ", 2) for line in lines if line)]


def kcat_values(broker, topic):
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%s\n").stdout.decode()
    return sorted(line for line in out.split("\n") if line)


def test_sarama_defaults_produce_consume_commit_and_resume(broker, topic, go_clients):
    sarama = go_clients["sarama"]
    produced = [line.split() for line in run(sarama, "produce", broker.bootstrap, topic, "12", "a") if line]
    assert len(produced) == 12
    # Offsets answered by Produce v0 are the broker's, contiguous per partition.
    by_partition = {}
    for partition, offset in produced:
        by_partition.setdefault(partition, []).append(int(offset))
    assert all(offsets == list(range(len(offsets))) for offsets in by_partition.values())
    group = "g-" + uuid.uuid4().hex[:8]
    first = consumed(run(sarama, "consume", broker.bootstrap, topic, group, "12", "1000"))
    assert sorted(v for _, _, v in first) == sorted(f"a-{i}" for i in range(12))
    # The OffsetCommit v1 commits survived: a restarted member reads only what is new.
    run(sarama, "produce", broker.bootstrap, topic, "3", "b")
    again = consumed(run(sarama, "consume", broker.bootstrap, topic, group, "3", "1000"))
    assert sorted(v for _, _, v in again) == ["b-0", "b-1", "b-2"]
    # The log holds record batches v2: a current client reads the same messages.
    assert kcat_values(broker, topic) == sorted([f"a-{i}" for i in range(12)] + ["b-0", "b-1", "b-2"])


def test_kafka_go_creates_produces_consumes_in_a_group_and_resumes(broker, topic, go_clients):
    kafkago = go_clients["kafkago"]
    run(kafkago, "create", broker.bootstrap, topic, "2")
    meta = kcat("-b", broker.bootstrap, "-L", "-t", topic).stdout.decode()
    assert "2 partitions" in meta
    run(kafkago, "produce", broker.bootstrap, topic, "10", "a")
    group = "g-" + uuid.uuid4().hex[:8]
    first = consumed(run(kafkago, "consume", broker.bootstrap, topic, group, "10", "1000"))
    assert sorted(v for _, _, v in first) == sorted(f"a-{i}" for i in range(10))
    # The OffsetCommit v2 commits survived: a restarted member reads only what is new.
    run(kafkago, "produce", broker.bootstrap, topic, "4", "b")
    again = consumed(run(kafkago, "consume", broker.bootstrap, topic, group, "4", "1000"))
    assert sorted(v for _, _, v in again) == ["b-0", "b-1", "b-2", "b-3"]
    assert kcat_values(broker, topic) == sorted([f"a-{i}" for i in range(10)] + [f"b-{i}" for i in range(4)])


def test_old_and_new_clients_read_each_others_messages(broker, topic, go_clients):
    """kafka-go writes magic 1, sarama magic 0, kcat batches v2; each reads all of them back."""
    run(go_clients["kafkago"], "create", broker.bootstrap, topic, "1")
    run(go_clients["kafkago"], "produce", broker.bootstrap, topic, "3", "go")
    run(go_clients["sarama"], "produce", broker.bootstrap, topic, "3", "sarama")
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-z", "lz4", input=b"kcat-0\nkcat-1\nkcat-2\n")
    expected = sorted([f"go-{i}" for i in range(3)] + [f"sarama-{i}" for i in range(3)] + [f"kcat-{i}" for i in range(3)])
    assert kcat_values(broker, topic) == expected
    as_sarama = consumed(run(go_clients["sarama"], "consume", broker.bootstrap, topic, "g-" + uuid.uuid4().hex[:8], "9", "1000"))
    assert sorted(v for _, _, v in as_sarama) == expected
    assert [o for _, o, _ in as_sarama] == list(range(9))
    as_kafka_go = consumed(run(go_clients["kafkago"], "consume", broker.bootstrap, topic, "g-" + uuid.uuid4().hex[:8], "9", "1000"))
    assert sorted(v for _, _, v in as_kafka_go) == expected
