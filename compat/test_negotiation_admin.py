"""A. Negotiation and B. Metadata/admin (KAFKA-WIRE.md §9)."""
import json
import struct

from conftest import kcat
from rawkafka import Raw


def test_kcat_negotiates_v3_and_enables_every_feature(broker):
    out = kcat("-b", broker.bootstrap, "-L", "-d", "protocol,feature").stderr.decode()
    assert "ApiVersionRequest (v3" in out
    assert "Protocol parse failure" not in out
    for feature in ("MsgVer2", "BrokerBalancedConsumer", "LZ4", "IdempotentProducer"):
        assert f"Enabling feature {feature}" in out or feature in out, feature
    assert "Disabling feature MsgVer2" not in out


def test_kafka_python_infers_a_modern_broker_version(broker):
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        assert admin._manager.broker_version >= (2, 4)
    finally:
        admin.close()


def test_raw_apiversions_fallback_answers_error_35_with_the_key_table(broker):
    raw = Raw(broker.bootstrap)
    try:
        response = raw.request(18, 9, b"\x00", flexible_header=True)
        error, count = struct.unpack(">hi", response[:6])
        assert error == 35
        entries = [struct.unpack(">hhh", response[6 + 6 * i:12 + 6 * i]) for i in range(count)]
        assert (18, 0, 3) in entries
        assert (0, 0, 8) in entries
        assert (1, 0, 11) in entries  # every API from v0, as Kafka 3.9 served them
    finally:
        raw.close()


def test_kcat_metadata_shows_broker_and_topics(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"x\n")
    metadata = json.loads(kcat("-b", broker.bootstrap, "-L", "-J").stdout)
    assert metadata["brokers"][0]["id"] == 1
    assert metadata["brokers"][0]["name"] == broker.bootstrap
    mine = [t for t in metadata["topics"] if t["topic"] == topic]
    assert mine and mine[0]["partitions"][0]["leader"] == 1


def test_kafka_python_admin_creates_topics_and_reports_errors(broker, topic):
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import InvalidReplicationFactorError, TopicAlreadyExistsError
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 3, 1)])
        assert topic in admin.list_topics()
        try:
            admin.create_topics([NewTopic(topic, 3, 1)])
            raise AssertionError("second create succeeded")
        except TopicAlreadyExistsError:
            pass
        try:
            admin.create_topics([NewTopic(topic + "-rf", 1, 2)])
            raise AssertionError("replication factor 2 accepted")
        except InvalidReplicationFactorError:
            pass
    finally:
        admin.close()


def test_confluent_admin_creates_topics(broker, topic):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
    futures[topic].result(timeout=30)
    metadata = admin.list_topics(timeout=30)
    assert len(metadata.topics[topic].partitions) == 4


def test_admin_lists_and_describes_groups_and_deletes_topics(broker, topic):
    import uuid
    from kafka import KafkaConsumer
    from kafka.admin import KafkaAdminClient
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"a\nb\n")
    group = "g-" + uuid.uuid4().hex[:8]
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000)
    assert len(list(consumer)) == 2
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        assert {"group_id": group, "protocol_type": "consumer"} in admin.list_groups()
        described = admin.describe_groups([group])[group]
        assert described["group_state"] == "Stable" and described["protocol_data"] == "range"
        assert described["members"][0]["member_assignment"]["assigned_partitions"] == [{"topic": topic, "partitions": [0]}]
        consumer.close()
        admin.delete_topics([topic])
        assert topic not in admin.list_topics()
    finally:
        admin.close()
