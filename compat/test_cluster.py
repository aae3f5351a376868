"""brokerctl, unchanged, against Kafka-protocol clusters not written here: librdkafka's mock cluster with
three brokers, once as confluent-kafka 2.16.1 holds it (the cluster of the first report: ApiVersions v3
refused with error 35) and once as Debian's librdkafka 2.0.2 holds it through compat/mockcluster, which
also moves partition leaders and group coordinators between the commands."""
import os
import subprocess
import sys
import uuid

import pytest

from conftest import REPO
from test_brokerctl import BROKERCTL_BIN, out

HARNESS_SOURCE = os.path.join(REPO, "compat", "mockcluster", "mockcluster.c")


class Cluster:
    """A mock cluster process that prints `bootstrap HOST:PORT,...` first and then answers commands."""

    def __init__(self, command):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        first = self.proc.stdout.readline().strip()
        assert first.startswith("bootstrap "), f"the mock cluster said {first!r}"
        self.bootstrap = first.split(" ", 1)[1]

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer == "ok", f"{line}: {answer}"

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# Holds a confluent-kafka 2.16.1 client whose librdkafka runs a 3-broker mock cluster, until stdin closes.
PYTHON_MOCK = """
import sys
from confluent_kafka import Producer
producer = Producer({"test.mock.num.brokers": 3})
brokers = producer.list_topics(timeout=30).brokers.values()
print("bootstrap " + ",".join(f"{b.host}:{b.port}" for b in sorted(brokers, key=lambda b: b.id)), flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """compat/mockcluster compiled with the Swift toolchain's clang against Debian's librdkafka-dev."""
    binary = str(tmp_path_factory.mktemp("mockcluster") / "mockcluster")
    subprocess.run(["clang", "-O1", "-o", binary, HARNESS_SOURCE, "-lrdkafka"], check=True)
    return binary


@pytest.fixture
def debian_mock(harness):
    cluster = Cluster([harness, "3"])
    yield cluster
    cluster.stop()


@pytest.fixture
def python_mock():
    cluster = Cluster([sys.executable, "-c", PYTHON_MOCK])
    yield cluster
    cluster.stop()


def ctl(cluster, *args, input=None, check=True, timeout=180):
    assert os.path.exists(BROKERCTL_BIN), f"{BROKERCTL_BIN} is missing: run `swift build`"
    result = subprocess.run([BROKERCTL_BIN, *args, "--bootstrap", cluster.bootstrap], input=input,
                            capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"brokerctl {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout.decode(errors='replace')}\n{result.stderr.decode(errors='replace')}")
    return result


def test_every_command_of_the_report_works_on_the_confluent_kafka_mock(python_mock):
    import json
    info = json.loads(out(ctl(python_mock, "cluster", "info", "--json")))
    assert len(info["brokers"]) == 3
    assert "apiVersions" in info["apiVersions"] and "metadata" in info["apiVersions"]

    topic = f"report-{uuid.uuid4().hex[:8]}"
    # The mock serves no CreateTopics: a clear error, not a malformed ApiVersions answer.
    created = ctl(python_mock, "topic", "create", topic, "--partitions", "3", check=False)
    assert created.returncode == 1
    assert b"createTopics" in created.stderr and b"malformed" not in created.stderr

    # produce auto-creates the topic on this cluster (Metadata with allow_auto_topic_creation).
    ctl(python_mock, "produce", topic, "--key-separator", ":", input="".join(f"k{i}:v{i}\n" for i in range(60)).encode())
    values = out(ctl(python_mock, "consume", topic, "--from-beginning", "-e")).splitlines()
    assert sorted(values) == sorted(f"v{i}" for i in range(60))

    group = f"g-{uuid.uuid4().hex[:8]}"
    first = out(ctl(python_mock, "consume", topic, "--group", group, "--from-beginning", "-n", "25")).splitlines()
    rest = out(ctl(python_mock, "consume", topic, "--group", group, "-e")).splitlines()
    assert len(first) == 25 and sorted(first + rest) == sorted(values)
    # (A third member would find nothing left, but this mock makes a group that was left wait a whole session
    # timeout before it accepts a new member: about 20 s of CI time, so that is checked on our own broker only.)

    bench = json.loads(out(ctl(python_mock, "bench", "produce", "--topic", topic, "--records", "3000", "--json")))
    assert bench["records"] == 3000
    described = json.loads(out(ctl(python_mock, "topic", "describe", topic, "--json")))
    assert sum(p["endOffset"] for p in described["partitions"]) == 60 + 3000


def test_brokerctl_follows_leaders_and_the_coordinator_on_the_debian_mock(debian_mock):
    import json
    topic = "moving"
    debian_mock.command(f"create {topic} 3 1")
    for partition in range(3):
        debian_mock.command(f"leader {topic} {partition} {partition + 1}")
    info = json.loads(out(ctl(debian_mock, "cluster", "info", "--json")))
    assert sorted(b["id"] for b in info["brokers"]) == [1, 2, 3]

    ctl(debian_mock, "produce", topic, "--key-separator", ":", input="".join(f"k{i}:v{i}\n" for i in range(90)).encode())
    for partition in range(3):
        debian_mock.command(f"leader {topic} {partition} {(partition + 1) % 3 + 1}")
    described = json.loads(out(ctl(debian_mock, "topic", "describe", topic, "--json")))
    assert [p["leader"] for p in described["partitions"]] == [2, 3, 1]
    assert sum(p["endOffset"] for p in described["partitions"]) == 90

    group = "moving-readers"
    debian_mock.command(f"coordinator {group} 2")
    first = out(ctl(debian_mock, "consume", topic, "--group", group, "--from-beginning", "-n", "40")).splitlines()
    debian_mock.command(f"coordinator {group} 3")
    debian_mock.command("errors 8 16")  # the next OffsetCommit: NOT_COORDINATOR
    for partition in range(3):
        debian_mock.command(f"leader {topic} {partition} {partition % 3 + 1}")
    rest = out(ctl(debian_mock, "consume", topic, "--group", group, "-e")).splitlines()
    assert len(first) == 40 and sorted(first + rest) == sorted(f"v{i}" for i in range(90))

    bench = json.loads(out(ctl(debian_mock, "bench", "produce", "--topic", topic, "--records", "3000", "--json")))
    assert bench["records"] == 3000
