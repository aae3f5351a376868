"""C. Produce with every client, codec and acks setting."""
import collections

from conftest import kcat


def consume_all(broker, topic, fmt="%k=%s@%o\\n", partition=None):
    args = ["-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-f", fmt.replace("\\n", "\n")]
    if partition is not None:
        args += ["-p", str(partition)]
    return kcat(*args).stdout.decode().splitlines()


def test_kcat_produces_and_consumes(broker, topic):
    data = "".join(f"k{i}:v{i}\n" for i in range(1, 6)).encode()
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-K:", input=data)
    assert consume_all(broker, topic) == [f"k{i}=v{i}@{i - 1}" for i in range(1, 6)]


def test_kcat_lz4_idempotent_uses_the_codec(broker, topic):
    data = "".join(f"{'compressible-' * 20}{i}\n" for i in range(200)).encode()
    result = kcat("-b", broker.bootstrap, "-P", "-t", topic, "-z", "lz4", "-X", "enable.idempotence=true", "-d", "msg",
                  input=data)
    log = result.stderr.decode()
    assert "does not support compression" not in log
    assert "PID{Id:" in log
    assert "lz4)" in log
    assert len(consume_all(broker, topic, fmt="%s\\n")) == 200


def test_kafka_python_acks_1_lz4(broker, topic):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks=1, compression_type="lz4")
    try:
        assert producer.config["enable_idempotence"] is False
        futures = [producer.send(topic, key=str(i % 3).encode(), value=b"value-%d" % i) for i in range(60)]
        producer.flush()
        offsets = collections.defaultdict(list)
        for future in futures:
            metadata = future.get(timeout=30)
            offsets[metadata.partition].append(metadata.offset)
        for partition_offsets in offsets.values():
            assert partition_offsets == list(range(len(partition_offsets)))
    finally:
        producer.close()


def test_kafka_python_acks_all_is_idempotent(broker, topic):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", compression_type="lz4")
    try:
        futures = [producer.send(topic, value=b"v%d" % i) for i in range(50)]
        producer.flush()
        offsets = [f.get(timeout=30).offset for f in futures]
        assert offsets == list(range(50))
    finally:
        producer.close()
    assert "InitProducerId" in broker.log()


def test_confluent_idempotent_lz4_producer(broker, topic):
    from confluent_kafka import Producer
    logs = []

    class Capture:
        def info(self, msg, *args):
            logs.append(msg % args if args else msg)
        debug = warning = error = critical = exception = info

        def log(self, level, msg, *args):
            logs.append(msg % args if args else msg)

    producer = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True,
                         "compression.type": "lz4", "debug": "msg"}, logger=Capture())
    delivered = []

    def on_delivery(err, msg):
        delivered.append((err, msg.partition(), msg.offset()))

    for i in range(40):
        producer.produce(topic, value=("payload-%d-" % i) * 10, on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert all(err is None for err, _, _ in delivered)
    per_partition = collections.defaultdict(list)
    for _, partition, offset in delivered:
        per_partition[partition].append(offset)
    for offsets in per_partition.values():
        assert sorted(offsets) == list(range(len(offsets)))
    text = "\n".join(logs)
    assert "lz4)" in text and "PID{Id:" in text
