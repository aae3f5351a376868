"""A few Kafka requests by hand, for checks that real clients cannot provoke: bad CRCs, oversized
batches, duplicate and out-of-order idempotent batches, stale epochs, garbage on the wire."""
import socket
import struct
import time

from kafka.record.default_records import DefaultRecordBatchBuilder


class Raw:
    def __init__(self, bootstrap, timeout=10):
        host, port = bootstrap.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.correlation = 0

    def close(self):
        self.sock.close()

    def send(self, api_key, version, body, client_id=b"raw", flexible_header=False):
        self.correlation += 1
        header = struct.pack(">hhih", api_key, version, self.correlation, len(client_id)) + client_id
        if flexible_header:
            header += b"\x00"
        frame = header + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        return self.correlation

    def receive(self):
        size = struct.unpack(">i", self._exactly(4))[0]
        return self._exactly(size)

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            data += chunk
        return data

    def request(self, api_key, version, body, **kw):
        correlation = self.send(api_key, version, body, **kw)
        response = self.receive()
        assert struct.unpack(">i", response[:4])[0] == correlation
        return response[4:]


def string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def batch(values, producer_id=-1, epoch=-1, base_sequence=-1, crc_flip=False, timestamp=None):
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                        producer_id=producer_id, producer_epoch=epoch,
                                        base_sequence=base_sequence, batch_size=64 << 20)
    ts = timestamp if timestamp is not None else int(time.time() * 1000)
    for i, value in enumerate(values):
        builder.append(i, timestamp=ts, key=None, value=value, headers=[])
    data = bytearray(builder.build())
    if crc_flip:
        data[-1] ^= 0xFF
    return bytes(data)


def produce_v3(raw, topic, partition, records, acks=-1, timeout_ms=5000):
    """Produce v3; returns (error_code, base_offset) of the one partition."""
    body = struct.pack(">h", -1)  # transactional_id null
    body += struct.pack(">hi", acks, timeout_ms)
    body += struct.pack(">i", 1) + string(topic)
    body += struct.pack(">i", 1) + struct.pack(">i", partition) + struct.pack(">i", len(records)) + records
    response = raw.request(0, 3, body)
    # responses: [topic: string, [partition int32, error int16, base_offset int64, log_append_time int64]], throttle
    pos = 4
    name_len = struct.unpack(">h", response[pos:pos + 2])[0]
    pos += 2 + name_len + 4
    _partition, error, base_offset = struct.unpack(">ihq", response[pos:pos + 14])
    return error, base_offset


def init_producer_id(raw):
    body = struct.pack(">h", -1) + struct.pack(">i", 60000)
    response = raw.request(22, 0, body)
    _throttle, error, producer_id, epoch = struct.unpack(">ihqh", response[:16])
    assert error == 0
    return producer_id, epoch
