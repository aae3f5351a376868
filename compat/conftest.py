"""Fixtures for the Kafka compatibility suite: a real `broker` process on a free loopback port with its
own data directory, driven by real clients (kcat, kafka-python, confluent-kafka)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKER_BIN = os.environ.get("BROKER_BIN", os.path.join(REPO, ".build", "debug", "broker"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BrokerProcess:
    """One broker process. `restart()` keeps the data directory; `kill9()` simulates a crash."""

    def __init__(self, data_dir, extra_args=(), log_level="debug"):
        self.data_dir = data_dir
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.metrics_port = free_port()
        self.extra_args = list(extra_args)
        self.log_level = log_level
        self.proc = None
        self.log_path = os.path.join(data_dir, "broker.log")

    def start(self):
        assert os.path.exists(BROKER_BIN), f"{BROKER_BIN} is missing: run `make test`"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BROKER_BIN, "--listen", self.bootstrap, "--data-dir", os.path.join(self.data_dir, "data"),
             "--metrics-listen", f"127.0.0.1:{self.metrics_port}", "--log-level", self.log_level, *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT)
        # Ready when both listeners accept: the Kafka port and the metrics port (tests read /metrics at once).
        # Generous: the machine may be busy with a build beside the tests.
        deadline = time.monotonic() + 90
        waiting = [self.port, self.metrics_port]
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.5):
                    waiting.pop(0)
                    if not waiting:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"broker did not start listening on {waiting} within 90 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


@pytest.fixture(scope="module")
def broker():
    data_dir = tempfile.mkdtemp(prefix="compat-broker-")
    process = BrokerProcess(data_dir).start()
    yield process
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def fresh_broker():
    """A broker of one's own, for tests that restart or kill it."""
    data_dir = tempfile.mkdtemp(prefix="compat-broker-")
    process = BrokerProcess(data_dir).start()
    yield process
    process.kill9()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def topic():
    return "t-" + uuid.uuid4().hex[:10]


def kcat(*args, input=None, timeout=60, check=True):
    result = subprocess.run(["kcat", *args], input=input, capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"kcat {' '.join(args)} failed ({result.returncode}):\n{result.stderr.decode()}")
    return result


class SequenceSender:
    """Produces b"seq-%08d" values 0, 1, 2, … (at most `limit`) from a thread until `stop()`, polling all the
    while so that delivery callbacks run (librdkafka calls them inside poll()). `sent` is how many were queued."""

    def __init__(self, producer, topic, limit, on_delivery):
        self.producer, self.topic, self.limit, self.on_delivery = producer, topic, limit, on_delivery
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop)

    def _loop(self):
        while not self._stop.is_set():
            if self.sent < self.limit:
                try:
                    self.producer.produce(self.topic, value=b"seq-%08d" % self.sent, on_delivery=self.on_delivery)
                    self.sent += 1
                except BufferError:
                    self.producer.poll(0.05)
                self.producer.poll(0)
            else:
                self.producer.poll(0.05)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()

