"""brokerctl end to end against a real broker: topics, produce/consume (also across kcat), groups and lag,
offset resets, benchmarks, and the exit codes and messages scripts rely on."""
import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from conftest import REPO, kcat

BROKERCTL_BIN = os.environ.get("BROKERCTL_BIN", os.path.join(REPO, ".build", "debug", "brokerctl"))


def brokerctl(broker, *args, input=None, timeout=120, check=True, env=None):
    """Runs brokerctl against `broker` (None: no --bootstrap) and returns the CompletedProcess."""
    assert os.path.exists(BROKERCTL_BIN), f"{BROKERCTL_BIN} is missing: run `swift build`"
    command = [BROKERCTL_BIN, *args]
    if broker is not None:
        command += ["--bootstrap", broker.bootstrap]
    result = subprocess.run(command, input=input, capture_output=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"brokerctl {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout.decode(errors='replace')}\n{result.stderr.decode(errors='replace')}")
    return result


def out(result):
    return result.stdout.decode()


def describe_group(broker, group):
    return json.loads(out(brokerctl(broker, "group", "describe", group, "--json")))


def create(broker, topic, partitions=3):
    brokerctl(broker, "topic", "create", topic, "--partitions", str(partitions))


def test_topic_create_list_describe_delete(broker, topic):
    created = brokerctl(broker, "topic", "create", topic, "--partitions", "3", "--config", "retention.ms=86400000")
    assert topic in out(created) and "3 partitions" in out(created)

    listed = json.loads(out(brokerctl(broker, "topic", "list", "--json")))
    assert {"name": topic, "partitions": 3, "replicas": 1} in listed
    table = out(brokerctl(broker, "topic", "list"))
    assert table.splitlines()[0].split() == ["NAME", "PARTITIONS", "REPLICAS"]
    assert any(line.split()[:2] == [topic, "3"] for line in table.splitlines()[1:])

    described = json.loads(out(brokerctl(broker, "topic", "describe", topic, "--json")))
    assert described["name"] == topic
    assert [p["partition"] for p in described["partitions"]] == [0, 1, 2]
    assert all(p["startOffset"] == 0 and p["endOffset"] == 0 for p in described["partitions"])
    assert "PARTITION" in out(brokerctl(broker, "topic", "describe", topic))

    again = brokerctl(broker, "topic", "create", topic, "--partitions", "3", check=False)
    assert again.returncode == 1 and b"already exists" in again.stderr
    assert json.loads(out(brokerctl(broker, "topic", "create", topic, "--if-not-exists", "--json")))["created"] is False

    brokerctl(broker, "topic", "delete", topic)
    assert topic not in [t["name"] for t in json.loads(out(brokerctl(broker, "topic", "list", "--json")))]
    gone = brokerctl(broker, "topic", "describe", topic, check=False)
    assert gone.returncode == 1 and b"topic list" in gone.stderr


def test_produce_with_key_separator_then_consume_back(broker, topic):
    create(broker, topic)
    lines = [f"key-{i}:value {i}:with colon" for i in range(60)] + ["no separator here"]
    produced = brokerctl(broker, "produce", topic, "--key-separator", ":", "--header", "origin=test",
                         input=("\n".join(lines) + "\n").encode())
    assert b"61 records" in produced.stderr

    values = out(brokerctl(broker, "consume", topic, "-n", "61", "--timeout", "30")).splitlines()
    assert sorted(values) == sorted([line.split(":", 1)[1] for line in lines[:-1]] + ["no separator here"])

    pairs = out(brokerctl(broker, "consume", topic, "--from-beginning", "-e", "--format", r"%k|%s|%h\n")).splitlines()
    assert sorted(pairs) == sorted([f"{l.split(':', 1)[0]}|{l.split(':', 1)[1]}|origin=test" for l in lines[:-1]]
                                   + ["|no separator here|origin=test"])

    records = [json.loads(line) for line in out(brokerctl(broker, "consume", topic, "-e", "--json")).splitlines()]
    assert len(records) == 61
    assert {r["partition"] for r in records} <= {0, 1, 2}
    keyless = [r for r in records if r["key"] is None]
    assert len(keyless) == 1 and keyless[0]["value"] == "no separator here"
    assert all(r["headers"] == [{"key": "origin", "value": "test"}] for r in records)
    # Offsets within a partition are consecutive from 0.
    for partition in {r["partition"] for r in records}:
        offsets = [r["offset"] for r in records if r["partition"] == partition]
        assert offsets == list(range(len(offsets)))

    # One partition, from an offset.
    first = [r for r in records if r["partition"] == records[0]["partition"]]
    tail = out(brokerctl(broker, "consume", topic, "--partition", str(first[0]["partition"]), "--offset", "1", "-e",
                         "--format", r"%o\n")).split()
    assert tail == [str(r["offset"]) for r in first[1:]]


def test_brokerctl_and_kcat_read_each_other(broker, topic):
    create(broker, topic)
    mine = [f"k{i}:v{i}" for i in range(50)]
    brokerctl(broker, "produce", topic, "--key-separator", ":", input=("\n".join(mine) + "\n").encode())
    seen_by_kcat = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k:%s\n").stdout.decode().splitlines()
    assert sorted(seen_by_kcat) == sorted(mine)

    other = topic + "-kcat"
    create(broker, other)
    theirs = [f"kcat-key-{i}:kcat value {i}" for i in range(50)]
    kcat("-b", broker.bootstrap, "-P", "-t", other, "-K:", input=("\n".join(theirs) + "\n").encode())
    seen = out(brokerctl(broker, "consume", other, "-e", "--format", r"%k:%s\n")).splitlines()
    assert sorted(seen) == sorted(theirs)
    assert sorted(out(brokerctl(broker, "consume", other, "-n", "50")).splitlines()) == sorted(t.split(":", 1)[1] for t in theirs)


def test_group_lag_after_kcat_commits_part_then_reset_to_earliest(broker, topic):
    create(broker, topic)
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-K:", input="".join(f"{i}:v{i}\n" for i in range(30)).encode())
    group = "g-" + uuid.uuid4().hex[:8]
    # kcat stores the offsets of the 10 records it handed out and commits them when it closes.
    kcat("-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest", "-c", "10", "-q", topic, timeout=90)

    described = describe_group(broker, group)
    ends = {p["partition"]: p["endOffset"] for p in
            json.loads(out(brokerctl(broker, "topic", "describe", topic, "--json")))["partitions"]}
    assert sum(ends.values()) == 30
    committed = {o["partition"]: o["committedOffset"] for o in described["offsets"]}
    assert set(committed) == {0, 1, 2}, "every partition of the consumed topic is reported"
    assert sum(c for c in committed.values() if c > 0) == 10
    assert described["totalLag"] == 30 - 10 == sum(o["lag"] for o in described["offsets"])
    assert all(o["lag"] == ends[o["partition"]] - max(0, o["committedOffset"]) for o in described["offsets"])
    assert described["members"] == [] and described["state"] in ("Empty", "Stable")
    assert "TOTAL-LAG" in out(brokerctl(broker, "group", "describe", group))
    assert group in [g["groupId"] for g in json.loads(out(brokerctl(broker, "group", "list", "--json")))]

    reset = brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-earliest", "--json")
    assert {o["partition"]: o["newOffset"] for o in json.loads(out(reset))["offsets"]} == {0: 0, 1: 0, 2: 0}
    after = describe_group(broker, group)
    assert after["totalLag"] == sum(ends.values()) == 30
    assert {o["partition"]: o["lag"] for o in after["offsets"]} == ends

    latest = brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-latest", "--json")
    assert {o["partition"]: o["newOffset"] for o in json.loads(out(latest))["offsets"]} == ends
    assert describe_group(broker, group)["totalLag"] == 0
    brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-datetime", "2000-01-01T00:00:00Z")
    assert describe_group(broker, group)["totalLag"] == 30
    brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-datetime", str(int(time.time() * 1000) + 3_600_000))
    assert describe_group(broker, group)["totalLag"] == 0


def test_consume_with_group_commits_what_it_prints(broker, topic):
    create(broker, topic)
    brokerctl(broker, "produce", topic, input="".join(f"v{i}\n" for i in range(30)).encode())
    group = "g-" + uuid.uuid4().hex[:8]
    first = out(brokerctl(broker, "consume", topic, "--group", group, "--from-beginning", "-n", "12")).splitlines()
    assert len(first) == 12
    assert describe_group(broker, group)["totalLag"] == 18
    rest = out(brokerctl(broker, "consume", topic, "--group", group, "-e")).splitlines()
    assert sorted(first + rest) == sorted(f"v{i}" for i in range(30))
    assert describe_group(broker, group)["totalLag"] == 0
    assert out(brokerctl(broker, "consume", topic, "--group", group, "-e")) == ""


def test_reset_offsets_refused_while_a_member_is_active(broker, topic):
    create(broker, topic)
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"a\nb\nc\n")
    group = "g-" + uuid.uuid4().hex[:8]
    member = subprocess.Popen(["kcat", "-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                               "-X", "session.timeout.ms=6000", "-q", topic],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            described = brokerctl(broker, "group", "describe", group, "--json", check=False)
            # Members appear at JoinGroup; their assignment only after SyncGroup, so wait for both.
            if described.returncode == 0 and any(m["assignment"] for m in json.loads(out(described))["members"]):
                break
            assert time.monotonic() < deadline, "kcat never joined the group and got an assignment"
            time.sleep(0.3)
        member_info = json.loads(out(described))["members"][0]
        assert member_info["assignment"] == [{"topic": topic, "partitions": [0, 1, 2]}]
        refused = brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-earliest", check=False)
        assert refused.returncode == 1
        message = refused.stderr.decode()
        assert "active member" in message and "stop them" in message, message
    finally:
        member.send_signal(signal.SIGTERM)
        try:
            member.wait(timeout=30)
        except subprocess.TimeoutExpired:
            member.kill()
    # Once the member left, the reset goes through.
    brokerctl(broker, "group", "reset-offsets", group, "--topic", topic, "--to-earliest")
    assert describe_group(broker, group)["totalLag"] == 3


def test_bench_produce_and_consume_report_records_per_second(broker, topic):
    produced = brokerctl(broker, "bench", "produce", "--topic", topic, "--records", "20000", "--record-size", "100",
                         "--partitions", "3", timeout=300)
    summary = out(produced)
    assert "records/s" in summary and "20000 records sent" in summary and "p99.9" in summary, summary
    described = json.loads(out(brokerctl(broker, "topic", "describe", topic, "--json")))
    assert len(described["partitions"]) == 3 and described["records"] == 20000

    consumed = out(brokerctl(broker, "bench", "consume", "--topic", topic, "--records", "20000", timeout=300))
    assert "records/s" in consumed and "20000 records consumed" in consumed, consumed

    as_json = json.loads(out(brokerctl(broker, "bench", "produce", "--topic", topic, "--records", "500", "--acks", "1",
                                       "--compression", "lz4", "--json")))
    assert as_json["records"] == 500 and as_json["recordsPerSecond"] > 0 and as_json["latencyMs"]["samples"] == 500


def test_bad_bootstrap_exits_1_with_a_hint():
    result = brokerctl(None, "topic", "list", "--bootstrap", "127.0.0.1:1", check=False)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert "cannot connect to 127.0.0.1:1" in message and "is the broker running?" in message
    assert "--bootstrap" in message and "BROKERCTL_BOOTSTRAP" in message

    from_env = brokerctl(None, "cluster", "info", env={"BROKERCTL_BOOTSTRAP": "127.0.0.1:1"}, check=False)
    assert from_env.returncode == 1 and b"cannot connect to 127.0.0.1:1" in from_env.stderr


def test_environment_bootstrap_is_used(broker):
    info = json.loads(out(brokerctl(None, "cluster", "info", "--json", env={"BROKERCTL_BOOTSTRAP": broker.bootstrap})))
    assert info["brokers"][0]["port"] == broker.port


def test_shared_options_work_before_the_subcommand_too(broker, topic):
    """As with kcat and kubectl: `brokerctl -b HOST:PORT topic list`, `--bootstrap=…`, `--json` first."""
    create(broker, topic, partitions=2)
    for leading in (["--bootstrap", broker.bootstrap], [f"--bootstrap={broker.bootstrap}"], ["-b", broker.bootstrap],
                    ["--timeout", "20", "-b", broker.bootstrap]):
        listed = json.loads(out(brokerctl(None, *leading, "--json", "topic", "list")))
        assert {"name": topic, "partitions": 2, "replicas": 1} in listed, leading
    # Between the levels of a subcommand, and after it, as before.
    described = json.loads(out(brokerctl(None, "topic", "-b", broker.bootstrap, "describe", topic, "--json")))
    assert described["name"] == topic
    unknown = brokerctl(None, "-b", broker.bootstrap, "no-such-command", check=False)
    assert unknown.returncode == 2


@pytest.mark.parametrize("args", [
    ["topic", "create"],
    ["no-such-command"],
    ["topic", "list", "--no-such-option"],
    ["consume", "t", "--from-beginning", "--from-end"],
    ["consume", "t", "--format", "%x"],
    ["produce", "t", "--acks", "2"],
    ["group", "reset-offsets", "g", "--topic", "t"],
    ["group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday"],
    ["topic", "list", "--bootstrap", "not-an-address"],
])
def test_usage_errors_exit_2(args):
    result = brokerctl(None, *args, check=False, env={"BROKERCTL_BOOTSTRAP": "127.0.0.1:1"})
    assert result.returncode == 2, (args, result.stderr.decode())
    assert result.stderr.strip(), "a usage error must say what is wrong"


def test_help_documents_exit_codes():
    text = out(brokerctl(None, "--help"))
    assert "EXIT CODES" in text and "BROKERCTL_BOOTSTRAP" in text
