"""E. Consumer groups: commits, fetches of committed offsets, multi-member rebalances across client
families, kill -9 of a member, clean leave."""
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

from conftest import kcat


def produce(broker, topic, count, partitions=None):
    if partitions:
        from kafka.admin import KafkaAdminClient, NewTopic
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        admin.create_topics([NewTopic(topic, partitions, 1)])
        admin.close()
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-K:", input="".join(f"{i}:v{i}\n" for i in range(count)).encode())


def test_kcat_group_commits_on_close_and_resumes(broker, topic):
    produce(broker, topic, 20)
    group = "g-" + uuid.uuid4().hex[:8]
    first = kcat("-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest", "-e", topic, timeout=90)
    assert len(first.stdout.decode().split()) == 20
    second = kcat("-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest", "-e", topic, timeout=90)
    assert second.stdout.decode().split() == []


def test_kafka_python_group_commits_and_committed_matches_end(broker, topic):
    from kafka import KafkaConsumer, TopicPartition
    produce(broker, topic, 30)
    group = "g-" + uuid.uuid4().hex[:8]
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=True,
                             auto_offset_reset="earliest", consumer_timeout_ms=8000)
    assert len(list(consumer)) == 30
    consumer.close()
    checker = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    assert checker.committed(TopicPartition(topic, 0)) == 30
    checker.close()
    again = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, auto_offset_reset="earliest",
                          consumer_timeout_ms=5000)
    assert list(again) == []
    again.close()


def test_confluent_manual_commit_with_metadata(broker, topic):
    from confluent_kafka import Consumer, TopicPartition
    produce(broker, topic, 25)
    group = "g-" + uuid.uuid4().hex[:8]
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    received = 0
    deadline = time.monotonic() + 60
    while received < 25 and time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is not None and message.error() is None:
            received += 1
    assert received == 25
    consumer.commit(offsets=[TopicPartition(topic, 0, 25, metadata="checkpoint-7")], asynchronous=False)
    committed = consumer.committed([TopicPartition(topic, 0)], timeout=30)
    assert committed[0].offset == 25
    assert committed[0].metadata == "checkpoint-7"
    consumer.close()


MEMBER = textwrap.dedent("""
    import sys, time
    from kafka import KafkaConsumer
    bootstrap, topic, group, name = sys.argv[1:5]
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             session_timeout_ms=6000, heartbeat_interval_ms=1000, max_poll_interval_ms=60000)
    deadline = time.time() + 120
    last = None
    while time.time() < deadline:
        consumer.poll(timeout_ms=200)
        assignment = sorted(p.partition for p in consumer.assignment())
        if assignment != last:
            print("ASSIGNED " + name + " " + ",".join(map(str, assignment)), flush=True)
            last = assignment
    consumer.close()
""")


CONFLUENT_MEMBER = textwrap.dedent("""
    import sys, time
    from confluent_kafka import Consumer
    bootstrap, topic, group, name = sys.argv[1:5]
    def show(consumer, partitions):
        print("ASSIGNED " + name + " " + ",".join(str(p.partition) for p in consumer.assignment()), flush=True)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                         "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000,
                         "partition.assignment.strategy": "range"})
    consumer.subscribe([topic], on_assign=lambda c, p: (c.assign(p), show(c, p)),
                       on_revoke=lambda c, p: (c.unassign(), print("ASSIGNED " + name + " ", flush=True)))
    deadline = time.time() + 120
    while time.time() < deadline:
        consumer.poll(0.2)
    consumer.close()
""")


class Member:
    def __init__(self, broker, topic, group, name, script=MEMBER):
        self.name = name
        self.proc = subprocess.Popen([sys.executable, "-c", script, broker.bootstrap, topic, group, name],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.assignment = None

    def wait_for(self, predicate, timeout=60):
        """Reads assignment lines until `predicate(assignment)` holds."""
        os.set_blocking(self.proc.stdout.fileno(), True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("ASSIGNED"):
                parts = line.split()
                self.assignment = set(map(int, parts[2].split(","))) if len(parts) > 2 else set()
                if predicate(self.assignment):
                    return self.assignment
        raise AssertionError(f"{self.name}: assignment never satisfied the condition (last {self.assignment})")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def test_mixed_pair_splits_partitions_and_survivor_takes_all_after_kill9(broker, topic):
    """A kafka-python member and a librdkafka (confluent-kafka) member; the librdkafka one is killed -9."""
    produce(broker, topic, 10, partitions=3)
    group = "g-" + uuid.uuid4().hex[:8]
    a = Member(broker, topic, group, "a")
    a.wait_for(lambda s: s == {0, 1, 2})
    b = Member(broker, topic, group, "b", script=CONFLUENT_MEMBER)
    try:
        b_parts = b.wait_for(lambda s: len(s) > 0)
        a_parts = a.wait_for(lambda s: s and s.isdisjoint(b_parts) and len(s) + len(b_parts) == 3)
        assert a_parts | b_parts == {0, 1, 2}
        b.kill9()
        started = time.monotonic()
        a.wait_for(lambda s: s == {0, 1, 2}, timeout=60)
        # The 6 s session timeout, then one heartbeat (1 s) and a one-member rebalance.
        assert time.monotonic() - started < 12
    finally:
        a.stop()
        b.stop()


def test_mixed_client_group_of_three(broker, topic):
    """Two kafka-python members and a librdkafka member (kcat -G) share one group via `range`."""
    produce(broker, topic, 30, partitions=3)
    group = "g-" + uuid.uuid4().hex[:8]
    a = Member(broker, topic, group, "a")
    b = Member(broker, topic, group, "b")
    rdkafka = subprocess.Popen(["kcat", "-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                                "-X", "session.timeout.ms=6000", topic], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        a_parts = a.wait_for(lambda s: len(s) == 1, timeout=90)
        b_parts = b.wait_for(lambda s: len(s) == 1, timeout=90)
        assert a_parts.isdisjoint(b_parts)
        # The third partition is kcat's; stopping it cleanly (LeaveGroup) hands it over at once.
        rdkafka.send_signal(signal.SIGTERM)
        rdkafka.wait(timeout=30)
        started = time.monotonic()
        a_after = a.wait_for(lambda s: len(s) >= 1 and s != a_parts or len(s) == 2, timeout=30)
        b_after = b.wait_for(lambda s: len(a_after | s) == 3 and s.isdisjoint(a_after), timeout=30)
        assert a_after | b_after == {0, 1, 2}
        assert time.monotonic() - started < 6, "LeaveGroup should rebalance before the session timeout"
    finally:
        if rdkafka.poll() is None:
            rdkafka.kill()
        a.stop()
        b.stop()
    log = broker.log()
    assert "MEMBER_ID_REQUIRED" in log or "member id required" in log.lower()
