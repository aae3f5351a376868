"""The versions Kafka 3.x still served, by hand where no installed client sends them: Produce v0–v2 with
message sets of magic 0 and 1 as kafka-python's legacy builder writes them (uncompressed, gzip, LZ4 with the
pre-KIP-57 header checksum for magic 0), Fetch v0–v3 answered with sets of the old format, ListOffsets v0,
OffsetCommit v0/v1 with OffsetFetch v0, CreateTopics v0/v1, and the advertised table."""
import struct
import uuid

from kafka.record.legacy_records import LegacyRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords

from conftest import kcat
from rawkafka import Raw, string


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        values = struct.unpack_from(">" + fmt, self.data, self.pos)
        self.pos += struct.calcsize(">" + fmt)
        return values if len(values) > 1 else values[0]

    def string(self):
        n = self.take("h")
        s = self.data[self.pos:self.pos + n].decode() if n >= 0 else None
        self.pos += max(n, 0)
        return s

    def bytes(self):
        n = self.take("i")
        b = self.data[self.pos:self.pos + n] if n >= 0 else None
        self.pos += max(n, 0)
        return b

    def done(self):
        assert self.pos == len(self.data), f"{len(self.data) - self.pos} bytes left over"


def message_set(magic, codec, values):
    builder = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
    for i, value in enumerate(values):
        builder.append(i, timestamp=1_700_000_000_000 + i, key=b"k", value=value)
    return bytes(builder.build())


def produce(raw, version, topic, records, acks=1):
    body = struct.pack(">hi", acks, 5000) + struct.pack(">i", 1) + string(topic)
    body += struct.pack(">i", 1) + struct.pack(">ii", 0, len(records)) + records
    r = Reader(raw.request(0, version, body))
    assert r.take("i") == 1 and r.string() == topic and r.take("i") == 1
    _partition, error, base_offset = r.take("ihq")
    if version >= 2:
        assert r.take("q") == -1  # log_append_time: CreateTime
    if version >= 1:
        assert r.take("i") == 0  # throttle_time_ms, last
    r.done()
    return error, base_offset


def fetch(raw, version, topic, offset):
    body = struct.pack(">iii", -1, 100, 1)
    if version >= 3:
        body += struct.pack(">i", 1 << 20)
    body += struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", 0, offset, 1 << 20)
    r = Reader(raw.request(1, version, body))
    if version >= 1:
        assert r.take("i") == 0
    assert r.take("i") == 1 and r.string() == topic and r.take("i") == 1
    _partition, error, high_watermark = r.take("ihq")
    records = r.bytes()
    r.done()
    return error, high_watermark, records


def test_produce_v0_to_v2_message_sets_are_stored_as_record_batches(broker, topic):
    cases = [(0, 0, 0), (0, 0, 3), (1, 0, 1), (2, 1, 0), (2, 1, 1), (2, 1, 3)]  # (version, magic, codec)
    raw = Raw(broker.bootstrap)
    try:
        raw.request(3, 0, struct.pack(">i", 1) + string(topic))  # Metadata v0 auto-creates the topic
        expected, offset = [], 0
        for version, magic, codec in cases:
            values = [f"v{version}-m{magic}-c{codec}-{i}-".encode() + b"x" * 30 for i in range(3)]
            error, base_offset = produce(raw, version, topic, message_set(magic, codec, values))
            assert (error, base_offset) == (0, offset), (version, magic, codec)
            expected += values
            offset += 3
        # A damaged message (CRC-32) is refused with CORRUPT_MESSAGE and nothing is appended.
        damaged = bytearray(message_set(1, 0, [b"bad"]))
        damaged[-1] ^= 0xFF
        assert produce(raw, 2, topic, bytes(damaged))[0] == 2
        # A record batch v2 in a v2 request is not the format v2 carries.
        from rawkafka import batch
        assert produce(raw, 2, topic, batch([b"v2"]))[0] == 43
    finally:
        raw.close()
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%o %s\n").stdout.decode().split("\n")
    assert [line for line in out if line] == [f"{i} {v.decode()}" for i, v in enumerate(expected)]


def test_fetch_v0_to_v3_answers_message_sets_of_the_old_format(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, "-z", "lz4", input=b"".join(b"value-%d\n" % i for i in range(6)))
    raw = Raw(broker.bootstrap)
    try:
        for version in range(4):
            error, high_watermark, records = fetch(raw, version, topic, 2)
            assert (error, high_watermark) == (0, 6)
            batches = MemoryRecords(records)
            seen = []
            while batches.has_next():
                batch = batches.next_batch()
                assert batch.magic == (0 if version < 2 else 1)
                seen += [(r.offset, r.value) for r in batch]
            assert seen == [(i, b"value-%d" % i) for i in range(2, 6)], version
        # Past the end: an empty set, not null.
        assert fetch(raw, 0, topic, 6) == (0, 6, b"")
    finally:
        raw.close()


def test_list_offsets_v0_answers_offset_arrays(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"a\nb\nc\n")
    raw = Raw(broker.bootstrap)
    try:
        def offsets(timestamp, max_num):
            body = struct.pack(">i", -1) + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1)
            body += struct.pack(">iqi", 0, timestamp, max_num)
            r = Reader(raw.request(2, 0, body))
            assert r.take("i") == 1 and r.string() == topic and r.take("i") == 1
            _partition, error, count = r.take("ihi")
            found = [r.take("q") for _ in range(count)]
            r.done()
            assert error == 0
            return found
        assert offsets(-1, 1) == [3]
        assert offsets(-1, 10) == [3, 0]
        assert offsets(-2, 1) == [0]
    finally:
        raw.close()


def test_offset_commit_v0_v1_and_offset_fetch_v0(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"a\nb\nc\n")
    group = "g-" + uuid.uuid4().hex[:8]
    raw = Raw(broker.bootstrap)
    try:
        def commit(version, offset):
            body = string(group)
            if version >= 1:
                body += struct.pack(">i", -1) + string("")  # no generation: a simple commit
            body += struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iq", 0, offset)
            if version == 1:
                body += struct.pack(">q", 1_700_000_000_000)  # commit_timestamp
            body += string("meta")
            r = Reader(raw.request(8, version, body))
            assert r.take("i") == 1 and r.string() == topic and r.take("i") == 1
            assert r.take("ih") == (0, 0)
            r.done()

        def fetch_committed(version):
            body = string(group) + struct.pack(">i", 1) + string(topic) + struct.pack(">ii", 1, 0)
            r = Reader(raw.request(9, version, body))
            assert r.take("i") == 1 and r.string() == topic and r.take("i") == 1
            partition, offset = r.take("iq")
            metadata, error = r.string(), r.take("h")
            r.done()
            return partition, offset, metadata, error

        commit(0, 2)
        assert fetch_committed(0) == (0, 2, "meta", 0)
        commit(1, 3)
        assert fetch_committed(0) == (0, 3, "meta", 0)
        assert fetch_committed(1) == (0, 3, "meta", 0)
    finally:
        raw.close()
    # A current client sees the same commit.
    from kafka import KafkaConsumer, TopicPartition
    checker = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    assert checker.committed(TopicPartition(topic, 0)) == 3
    checker.close()


def test_create_topics_v0_and_v1(broker):
    raw = Raw(broker.bootstrap)
    try:
        def create(version, name, validate_only=False):
            body = struct.pack(">i", 1) + string(name) + struct.pack(">ihii", 2, 1, 0, 0) + struct.pack(">i", 5000)
            if version >= 1:
                body += struct.pack(">?", validate_only)
            r = Reader(raw.request(19, version, body))
            assert r.take("i") == 1 and r.string() == name
            error = r.take("h")
            message = r.string() if version >= 1 else None
            r.done()
            return error, message
        name = "t-" + uuid.uuid4().hex[:10]
        assert create(0, name) == (0, None)
        assert create(0, name)[0] == 36  # TOPIC_ALREADY_EXISTS
        other = "t-" + uuid.uuid4().hex[:10]
        assert create(1, other, validate_only=True) == (0, None)
        assert create(1, other)[0] == 0
        assert create(1, other)[0] == 36
    finally:
        raw.close()
    assert "2 partitions" in kcat("-b", broker.bootstrap, "-L", "-t", name).stdout.decode()


def test_api_versions_advertises_every_api_from_v0(broker):
    raw = Raw(broker.bootstrap)
    try:
        r = Reader(raw.request(18, 0, b""))
        assert r.take("h") == 0
        table = {key: (low, high) for key, low, high in (r.take("hhh") for _ in range(r.take("i")))}
        r.done()
    finally:
        raw.close()
    assert all(low == 0 for low, _ in table.values())
    assert table[0] == (0, 8) and table[1] == (0, 11) and table[2] == (0, 5) and table[8] == (0, 7)
