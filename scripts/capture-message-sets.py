#!/usr/bin/env python3
"""Writes message sets of formats v0 and v1 (magic 0 and 1) as kafka-python's legacy record builder
produces them, uncompressed, gzip and LZ4 (for magic 0 with the pre-KIP-57 frame header checksum that
Kafka 0.8-0.9 clients wrote), to Tests/KafkaWireTests/Fixtures/message-sets/ for the KafkaWire tests.

    .venv/bin/python scripts/capture-message-sets.py
"""
import os

from kafka.record.legacy_records import LegacyRecordBatchBuilder

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Tests", "KafkaWireTests", "Fixtures", "message-sets")
CODECS = {"none": 0, "gzip": 1, "lz4": 3}


def main():
    os.makedirs(OUT, exist_ok=True)
    for magic in (0, 1):
        for name, codec in CODECS.items():
            builder = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
            for i in range(3):
                key = None if i == 1 else b"key-%d" % i
                builder.append(i, timestamp=1_700_000_000_000 + i, key=key, value=b"value-%d " % i + b"x" * 40)
            with open(os.path.join(OUT, f"kafka-python-magic{magic}-{name}.set"), "wb") as f:
                f.write(bytes(builder.build()))


if __name__ == "__main__":
    main()
