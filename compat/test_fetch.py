"""D. Fetch: whole batches, empty partitions, long poll, out of range, large records."""
import subprocess
import threading
import time

from conftest import kcat


def test_offset_inside_a_batch_starts_at_that_offset(broker, topic):
    # One batch of 10 (kcat batches a burst), then read from 7.
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-X", "linger.ms=100", input=b"".join(b"m%d\n" % i for i in range(10)))
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "7", "-e", "-f", "%o\n").stdout.decode().split()
    assert out == ["7", "8", "9"]


def test_partitions_without_data_do_not_starve_consumers(broker, topic):
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    admin.close()
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-p", "1", input=b"a\nb\nc\n")
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e").stdout.decode().split()
    assert sorted(out) == ["a", "b", "c"]
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=5000)
    try:
        values = sorted(m.value for m in consumer)
    finally:
        consumer.close()
    assert values == [b"a", b"b", b"c"]


def test_long_poll_returns_when_data_arrives(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"first\n")
    consumer = subprocess.Popen(["kcat", "-b", broker.bootstrap, "-C", "-t", topic, "-o", "end", "-c", "1", "-d", "fetch"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Produce once the consumer has sent its first fetch at the log end (its debug log says so).
    deadline = time.monotonic() + 20
    for line in consumer.stderr:
        if b"Fetch topic" in line and b"at offset 1" in line:
            break
        assert time.monotonic() < deadline, "the consumer never fetched"
    started = time.monotonic()
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"second\n")
    threading.Thread(target=consumer.stderr.read, daemon=True).start()  # keep draining its debug log
    out = consumer.stdout.read()
    consumer.wait(timeout=20)
    assert out.strip() == b"second"
    assert time.monotonic() - started < 10


def test_out_of_range_offset_resets_to_earliest(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"0\n1\n2\n")
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "1000000", "-e", "-X", "auto.offset.reset=earliest",
               "-f", "%o\n").stdout.decode().split()
    assert out == ["0", "1", "2"]


def test_a_record_larger_than_the_fetch_limits_still_arrives(fresh_broker, topic):
    fresh_broker.extra_args = ["--max-message-bytes", "3000000"]
    fresh_broker.restart()
    value = b"x" * 2_000_000
    kcat("-b", fresh_broker.bootstrap, "-P", "-t", topic, "-X", "message.max.bytes=3000000", input=value + b"\n")
    out = kcat("-b", fresh_broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-X", "max.partition.fetch.bytes=1048576",
               "-f", "%S\n").stdout.decode().split()
    assert out == [str(len(value))]


def test_offsets_for_times_finds_the_exact_record_inside_a_batch(broker, topic):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=200, acks=1)
    base = 1_700_000_000_000
    for i in range(10):  # one batch: timestamps base, base+1000, ...
        producer.send(topic, value=b"v%d" % i, partition=0, timestamp_ms=base + i * 1000)
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    tp = TopicPartition(topic, 0)
    found = consumer.offsets_for_times({tp: base + 6500})[tp]
    assert (found.offset, found.timestamp) == (7, base + 7000)
    assert consumer.offsets_for_times({tp: base + 99_000})[tp] is None
    assert consumer.beginning_offsets([tp])[tp] == 0 and consumer.end_offsets([tp])[tp] == 10
    consumer.close()
