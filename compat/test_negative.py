"""C.12 and the hostile-input checks: raw requests real clients never send."""
import socket
import struct

from conftest import kcat
from rawkafka import Raw, batch, init_producer_id, produce_v3


def test_bad_crc_is_corrupt_message(broker, topic):
    raw = Raw(broker.bootstrap)
    try:
        # Produce never creates topics (as in Kafka): an unknown one is error 3.
        assert produce_v3(raw, topic, 0, batch([b"ok"]))[0] == 3
        kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"x\n")
        error, _ = produce_v3(raw, topic, 0, batch([b"payload"], crc_flip=True))
        assert error == 2
    finally:
        raw.close()


def test_oversized_batch_is_message_too_large(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"x\n")
    raw = Raw(broker.bootstrap)
    try:
        error, _ = produce_v3(raw, topic, 0, batch([b"x" * 1_200_000]))
        assert error == 10
    finally:
        raw.close()


def test_idempotence_duplicate_gap_and_stale_epoch(broker, topic):
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"x\n")
    raw = Raw(broker.bootstrap)
    try:
        pid, epoch = init_producer_id(raw)
        first = batch([b"a", b"b"], producer_id=pid, epoch=epoch, base_sequence=0)
        error, offset = produce_v3(raw, topic, 0, first)
        assert (error, offset) == (0, 1)
        # The same batch again: the original offset, nothing appended.
        assert produce_v3(raw, topic, 0, first) == (0, 1)
        # A sequence gap (expected 2).
        error, _ = produce_v3(raw, topic, 0, batch([b"c"], producer_id=pid, epoch=epoch, base_sequence=5))
        assert error == 45
        # Next in order is fine.
        assert produce_v3(raw, topic, 0, batch([b"c"], producer_id=pid, epoch=epoch, base_sequence=2)) == (0, 3)
        # A bumped epoch starting at 0 is accepted; then the old epoch is fenced.
        assert produce_v3(raw, topic, 0, batch([b"d"], producer_id=pid, epoch=epoch + 1, base_sequence=0))[0] == 0
        error, _ = produce_v3(raw, topic, 0, batch([b"e"], producer_id=pid, epoch=epoch, base_sequence=3))
        assert error == 47
    finally:
        raw.close()


def test_garbage_truncated_and_absurd_frames_leave_the_broker_serving(broker, topic):
    hostile = [
        b"\x00\x00\x00\x10" + b"\xff" * 16,             # garbage body
        b"\x7f\xff\xff\xff",                            # absurd length
        b"\xff\xff\xff\xfe",                            # negative length
        b"\x00\x00\x01\x00" + b"\x00\x12\x00\x03",      # truncated, then the peer leaves
        b"\x00\x00\x00\x08\x00\x03\x00\x07\x00\x00\x00\x01",  # Metadata v7 with a cut header
        struct.pack(">ihhih", 14, 3, 4, 1, 100) + b"ab",  # client id longer than the frame
    ]
    for payload in hostile:
        with socket.create_connection(("127.0.0.1", broker.port), timeout=5) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
    # Still serving, and a normal client works.
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"still alive\n")
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e").stdout
    assert b"still alive" in out
    assert broker.proc.poll() is None
