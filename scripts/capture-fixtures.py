#!/usr/bin/env python3
"""Captures real request frames from kcat, kafka-python and confluent-kafka (librdkafka) for the
KafkaWire decoder tests.

A loopback TCP proxy sits between the clients and a broker and writes the first frame of every
(client id, API key, version) to Tests/KafkaWireTests/Fixtures/<client id>/<api>-v<version>.bin (the
frame without its size prefix). Clients reconnect to the address the broker advertises, so the broker
must advertise the proxy. Usage:

    broker --listen 127.0.0.1:19093 --advertised-listener 127.0.0.1:19094 --data-dir /tmp/capture &
    .venv/bin/python scripts/capture-fixtures.py 127.0.0.1:19093 19094 [client ...]

The Go clients (sarama, kafka-go) are built from compat/go/ with Debian's packages (scripts/setup.sh).
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "Tests", "KafkaWireTests", "Fixtures")
API_NAMES = {0: "produce", 1: "fetch", 2: "listoffsets", 3: "metadata", 8: "offsetcommit", 9: "offsetfetch",
             10: "findcoordinator", 11: "joingroup", 12: "heartbeat", 13: "leavegroup", 14: "syncgroup",
             15: "describegroups", 16: "listgroups", 18: "apiversions", 19: "createtopics", 20: "deletetopics",
             22: "initproducerid"}


class CaptureProxy:
    def __init__(self, upstream, port):
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.seen = set()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            host, port = self.upstream.rsplit(":", 1)
            server = socket.create_connection((host, int(port)))
            threading.Thread(target=self.requests, args=(client, server), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client), daemon=True).start()

    def requests(self, source, sink):
        buffer = b""
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                sink.close()
                return
            sink.sendall(data)
            buffer += data
            while len(buffer) >= 4:
                size = struct.unpack(">i", buffer[:4])[0]
                if len(buffer) < 4 + size:
                    break
                self.save(buffer[4:4 + size])
                buffer = buffer[4 + size:]

    @staticmethod
    def pipe(source, sink):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                sink.close()
                return
            try:
                sink.sendall(data)
            except OSError:
                return

    def save(self, frame):
        key, version, _correlation, id_length = struct.unpack(">hhih", frame[:10])
        client = frame[10:10 + id_length].decode() if id_length > 0 else "unknown"
        if (client, key, version) in self.seen or key not in API_NAMES or client not in CLIENTS:
            return
        self.seen.add((client, key, version))
        directory = os.path.join(FIXTURES, client)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{API_NAMES[key]}-v{version}.bin"), "wb") as f:
            f.write(frame)


CLIENTS = ("kcat", "kafka-python", "confluent-kafka", "sarama", "kafka-go")


def run_kcat(bootstrap, topic):
    def kcat(*args, data=None):
        subprocess.run(["kcat", "-b", bootstrap, "-X", "client.id=kcat", *args], input=data, capture_output=True, timeout=60)
    kcat("-L")
    kcat("-P", "-t", topic, "-z", "lz4", "-X", "enable.idempotence=true", data=b"a\nb\nc\n")
    kcat("-C", "-t", topic, "-o", "beginning", "-e")
    kcat("-G", "fixtures-" + uuid.uuid4().hex[:6], "-X", "auto.offset.reset=earliest", "-e", topic)
    kcat("-Q", "-t", f"{topic}:0:{int(time.time() * 1000) - 60000}")


def run_kafka_python(bootstrap, topic):
    from kafka import KafkaConsumer, KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python")
    admin.create_topics([NewTopic(topic + "-kp", 2, 1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="kafka-python", acks="all", compression_type="lz4")
    for i in range(5):
        producer.send(topic, key=b"k%d" % i, value=b"v%d" % i, headers=[("h", b"x")])
    producer.flush()
    producer.close()
    group = "fixtures-" + uuid.uuid4().hex[:6]
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, client_id="kafka-python", group_id=group, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000)
    list(consumer)
    consumer.commit()
    consumer.close()
    admin.list_groups()
    admin.describe_groups([group])
    admin.delete_topics([topic + "-kp"])
    admin.close()


def run_confluent(bootstrap, topic):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "confluent-kafka"})
    admin.create_topics([NewTopic(topic + "-ck", num_partitions=1, replication_factor=1)])[topic + "-ck"].result(30)
    producer = Producer({"bootstrap.servers": bootstrap, "client.id": "confluent-kafka", "enable.idempotence": True, "compression.type": "lz4"})
    for i in range(5):
        producer.produce(topic, key=b"k%d" % i, value=b"v%d" % i)
    producer.flush(30)
    consumer = Consumer({"bootstrap.servers": bootstrap, "client.id": "confluent-kafka", "group.id": "fixtures-" + uuid.uuid4().hex[:6],
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    deadline = time.time() + 20
    received = 0
    while received < 5 and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            received += 1
            consumer.commit(message=message, asynchronous=False)
    consumer.close()


def build_go(name):
    """Builds compat/go/<name> (Debian's sarama 1.22.1 / kafka-go 0.2.1, GOPATH mode) into a temp dir."""
    import tempfile
    out = os.path.join(tempfile.mkdtemp(prefix="capture-go-"), name)
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode")
    subprocess.run(["go", "build", "-o", out, f"./compat/go/{name}"], cwd=REPO, env=env, check=True)
    return out


def run_sarama(bootstrap, topic):
    sarama = build_go("sarama")
    subprocess.run([sarama, "produce", bootstrap, topic + "-sarama", "3", "s"], check=True, timeout=60)
    subprocess.run([sarama, "consume", bootstrap, topic + "-sarama", "fixtures-" + uuid.uuid4().hex[:6], "3", "1000"], check=True, timeout=60)


def run_kafka_go(bootstrap, topic):
    kafkago = build_go("kafkago")
    subprocess.run([kafkago, "create", bootstrap, topic + "-kg", "1"], check=True, timeout=60)
    subprocess.run([kafkago, "produce", bootstrap, topic + "-kg", "3", "g"], check=True, timeout=60)
    subprocess.run([kafkago, "consume", bootstrap, topic + "-kg", "fixtures-" + uuid.uuid4().hex[:6], "3", "1000"], check=True, timeout=60)


def main():
    upstream = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:19093"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 19094
    proxy = CaptureProxy(upstream, port)
    topic = "fixtures-" + uuid.uuid4().hex[:6]
    runs = {"kcat": run_kcat, "kafka-python": run_kafka_python, "confluent-kafka": run_confluent, "sarama": run_sarama,
            "kafka-go": run_kafka_go}
    for run in [runs[name] for name in (sys.argv[3:] or CLIENTS)]:
        run(f"127.0.0.1:{proxy.port}", topic)
    for client in CLIENTS:
        pairs = sorted((key, version) for c, key, version in proxy.seen if c == client)
        print(f"{client}: captured {len(pairs)} (api, version) pairs: {pairs}")


if __name__ == "__main__":
    main()
