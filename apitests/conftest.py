"""Fixtures for the HTTP contract suite: a real broker, IAM and every domain service as `shop serve`
processes on free loopback ports, each with its own data directory, and tokens from IAM itself."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "testsupport"))
from shop_http import http_json  # noqa: E402
BIN = os.environ.get("SHOP_BIN_DIR", os.path.join(REPO, ".build", "debug"))
ADMIN_EMAIL = "admin@shop.test"
ADMIN_PASSWORD = "admin-password-for-api-tests"
# client_credentials clients of the services that call others: secret and scopes, as `shop up` has them.
SERVICE_CLIENTS = {"order": ("order-secret-for-api-tests", "customer.read catalog.read inventory.read"),
                   "payment": ("payment-secret-for-api-tests", "order.read")}
# Generous: the machine may be building beside the tests.
START_TIMEOUT = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process with its log in the stack's directory; ready when `ready()` says so."""

    def __init__(self, name, argv, env, log_path):
        self.name = name
        self.log_path = log_path
        self.proc = subprocess.Popen(argv, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)

    def wait_ready(self, ready):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            if ready():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} was not ready within {START_TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, lines=40):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def http_ready(base):
    def check():
        try:
            return http_json("GET", base + "/health/live", timeout=2)[0] == 200
        except OSError:
            return False
    return check


class Stack:
    """The broker, IAM and the requested services. `url(name)` is a service's base URL."""

    def __init__(self, services):
        self.dir = tempfile.mkdtemp(prefix="apitests-")
        self.processes = []
        self.urls = {}
        try:
            self._start(services)
        except BaseException:
            self.stop()
            raise

    def _start(self, services):
        broker_port, metrics_port, iam_port = free_port(), free_port(), free_port()
        broker = Process("broker", [os.path.join(BIN, "broker"), "--listen", f"127.0.0.1:{broker_port}",
                                    "--data-dir", os.path.join(self.dir, "broker"),
                                    "--metrics-listen", f"127.0.0.1:{metrics_port}"],
                         dict(os.environ), os.path.join(self.dir, "broker.log"))
        self.processes.append(broker)
        broker.wait_ready(lambda: tcp_open(broker_port))
        iam_url = f"http://127.0.0.1:{iam_port}"
        self.shared = dict(os.environ)
        self.shared.update({
            "DATA_DIR": self.dir, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}", "LOG_LEVEL": "warning",
            "LOG_FORMAT": "json", "JWT_ISSUER": iam_url, "JWT_AUDIENCE": "shop",
            "JWKS_URL": iam_url + "/.well-known/jwks.json",
        })
        for name in ["iam"] + [s for s in services if s != "iam"]:
            port = iam_port if name == "iam" else free_port()
            env = dict(self.shared, PORT=str(port))
            if name == "config":
                env["CONFIG_REPO_DIR"] = os.path.join(REPO, "config-repo")
            # The services that call others read through to this stack's processes, with the client
            # credentials `shop up` would give them (API.md §1.4), so a request reaches the real outcome.
            if name in SERVICE_CLIENTS:
                env.update({"SERVICE_CLIENT_ID": name + "-service", "SERVICE_CLIENT_SECRET": SERVICE_CLIENTS[name][0]})
            if name == "order":
                env.update({"ORDER_CATALOG_URL": self.urls.get("catalog", ""), "ORDER_CUSTOMER_URL": self.urls.get("customer", "")})
            if name == "payment":
                env["PAYMENT_ORDER_SERVICE_URL"] = self.urls.get("order", "")
            if name == "gateway":
                env.update({f"UPSTREAM_{upstream.upper()}_URL": url for upstream, url in self.urls.items()})
            if name == "iam":
                env["IAM_SERVICE_CLIENTS"] = ",".join(f"{client}-service:{secret}:{scopes}"
                                                      for client, (secret, scopes) in SERVICE_CLIENTS.items())
                env.update({"IAM_ADMIN_EMAIL": ADMIN_EMAIL, "IAM_ADMIN_PASSWORD": ADMIN_PASSWORD,
                            # The fuzzer logs in and registers far faster than a person.
                            "IAM_LOGIN_RATE_BURST": "100000", "IAM_LOGIN_RATE_PER_MINUTE": "1000000",
                            # One admin token serves the whole run (the fuzzer's failed logins may lock the
                            # admin account, which is what a lockout is for).
                            "IAM_ACCESS_TOKEN_TTL_SECONDS": "7200"})
            base = f"http://127.0.0.1:{port}"
            process = Process(name, [os.path.join(BIN, "shop"), "serve", name], env,
                              os.path.join(self.dir, f"{name}.log"))
            self.processes.append(process)
            process.wait_ready(http_ready(base))
            self.urls[name] = base
            if name == "iam":
                self.admin = self._login(ADMIN_EMAIL, ADMIN_PASSWORD)

    def url(self, name):
        return self.urls[name]

    def admin_token(self):
        """The admin's access token, taken before any fuzzing."""
        return self.admin

    def _login(self, email, password):
        status, body = http_json("POST", self.url("iam") + "/auth/login", {"email": email, "password": password})
        assert status == 200, body
        return body["data"]["accessToken"]

    def customer_token(self, email="fuzz-customer@example.com", password="correct horse battery staple"):
        http_json("POST", self.url("iam") + "/auth/register",
                  {"email": email, "password": password, "firstName": "Fuzz", "lastName": "Customer"})
        return self._login(email, password)

    def logs(self):
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in self.processes)

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
