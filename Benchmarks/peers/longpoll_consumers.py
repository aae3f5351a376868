#!/usr/bin/env python3
"""Parks many long-polling Kafka fetches at once: one connection per consumer, each fetching its own
partition (consumer i reads partition i % partitions) at the log end with max_wait, again and again,
for --seconds. Raw Fetch v4 requests, no client library, so that 1,000 consumers cost one process.
Prints one JSON line: fetches answered with records and without (max_wait ran out).

    longpoll_consumers.py --address 127.0.0.1:9092 --topic t --partitions 1000 --consumers 1000 --seconds 10
"""
import argparse
import json
import resource
import selectors
import socket
import struct
import time


def fetch_request(correlation_id, topic, partition, offset, max_wait_ms):
    client = b"longpoll"
    name = topic.encode()
    body = struct.pack(">hhih", 1, 4, correlation_id, len(client)) + client
    body += struct.pack(">iiiib", -1, max_wait_ms, 1, 1 << 20, 0)
    body += struct.pack(">ih", 1, len(name)) + name
    body += struct.pack(">iiqi", 1, partition, offset, 1 << 20)
    return struct.pack(">i", len(body)) + body


def parse_high_watermark(frame):
    """(high watermark, record bytes) of the one partition of a Fetch v4 response body."""
    position = 4 + 4 + 4  # correlation id, throttle, topic count
    (name_length,) = struct.unpack_from(">h", frame, position)
    position += 2 + name_length + 4  # name, partition count
    _, error, high_watermark = struct.unpack_from(">ihq", frame, position)
    position += 4 + 2 + 8 + 8  # partition, error, high watermark, last stable offset
    (aborted,) = struct.unpack_from(">i", frame, position)
    position += 4 + max(0, aborted) * 16
    (records,) = struct.unpack_from(">i", frame, position)
    return error, high_watermark, max(0, records)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", default="127.0.0.1:9092")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--consumers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-wait-ms", type=int, default=500)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.consumers + 64)), hard))
    host, port = args.address.rsplit(":", 1)
    selector = selectors.DefaultSelector()
    consumers = []
    for index in range(args.consumers):
        connection = socket.create_connection((host, int(port)))
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state = {"socket": connection, "partition": index % args.partitions, "offset": 0, "buffer": b"", "id": 0}
        consumers.append(state)
    for state in consumers:
        state["socket"].sendall(fetch_request(0, args.topic, state["partition"], 0, args.max_wait_ms))
        state["socket"].setblocking(False)
        selector.register(state["socket"], selectors.EVENT_READ, state)
    with_records = empty = errors = 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            state = key.data
            chunk = state["socket"].recv(1 << 20)
            if not chunk:
                raise SystemExit(f"broker closed consumer {state['partition']}")
            state["buffer"] += chunk
            while len(state["buffer"]) >= 4:
                (size,) = struct.unpack_from(">i", state["buffer"])
                if len(state["buffer"]) < 4 + size:
                    break
                frame, state["buffer"] = state["buffer"][4:4 + size], state["buffer"][4 + size:]
                error, high_watermark, records = parse_high_watermark(frame)
                if error:
                    errors += 1
                elif records:
                    with_records += 1
                else:
                    empty += 1
                state["offset"] = max(state["offset"], high_watermark)
                state["id"] += 1
                state["socket"].sendall(fetch_request(state["id"], args.topic, state["partition"], state["offset"], args.max_wait_ms))
    print(json.dumps({"consumers": args.consumers, "seconds": args.seconds, "fetchesWithRecords": with_records,
                      "fetchesTimedOut": empty, "fetchErrors": errors}))


if __name__ == "__main__":
    main()
