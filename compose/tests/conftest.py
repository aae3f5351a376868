"""Fixtures for compose/tests: `shop up` on free ports with a temporary data directory, exporting its spans to
a real OTLP/HTTP receiver, and the real Prometheus (Debian's package) scraping it with compose/prometheus's
configuration."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import json

import pytest
import yaml

from otlp_receiver import Receiver

COMPOSE = pathlib.Path(__file__).resolve().parents[1]
REPO = COMPOSE.parent
BIN = pathlib.Path(os.environ.get("SHOP_BIN_DIR", REPO / ".build" / "debug"))
ADMIN_EMAIL = "admin@shop.test"
ADMIN_PASSWORD = "admin-password-for-compose-tests"
# The seed ports of ServiceKit's ServiceCatalogue (and the broker's metrics port), which `--port-offset` shifts.
SEED_PORTS = {"broker": 9092, "config": 8888, "discovery": 8761, "iam": 8081, "customer": 8082, "catalog": 8083,
              "order": 8084, "inventory": 8085, "payment": 8086, "shipping": 8087, "gateway": 8080}
BROKER_METRICS_PORT = 9644
# Generous: the machine may be building beside the tests.
START_TIMEOUT = 180


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_offset():
    """A port offset under which every port of the stack is free now."""
    for offset in range(21000, 40000, 137):
        if all(port_free(p + offset) for p in [*SEED_PORTS.values(), BROKER_METRICS_PORT]):
            return offset
    raise RuntimeError("no free port offset for the stack")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_until(what, condition, timeout, process=None, log=None):
    """Polls `condition` every 0.2 s until it is true; fails with `what` (and the log's tail) after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: the process exited with {process.returncode}\n{tail(log)}")
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s\n{tail(log)}")


def tail(path, lines=60):
    if not path or not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")


def stop(process, grace=20):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def otlp():
    """The OTLP/HTTP receiver every process of the stack sends its spans to."""
    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="session")
def stack(otlp):
    """`shop up` (every process) on free ports, tracing on; yields its ports and log path; stopped and removed after."""
    shop = BIN / "shop"
    if not shop.exists():
        pytest.fail(f"{shop} is missing: build first (swift build --product shop; --product broker)")
    directory = tempfile.mkdtemp(prefix="shop-prom-")
    offset = free_offset()
    log = os.path.join(directory, "shop-up.log")
    env = dict(os.environ, LOG_FORMAT="json", LOG_LEVEL="info", IAM_ADMIN_EMAIL=ADMIN_EMAIL, IAM_ADMIN_PASSWORD=ADMIN_PASSWORD,
               ORDER_METRICS_REFRESH_MS="500", GATEWAY_AUTH_RATE_BURST="10000", IAM_LOGIN_RATE_BURST="10000",
               OTEL_EXPORTER_OTLP_ENDPOINT=otlp.endpoint)
    for key in ("SERVICE_CLIENT_ID", "SERVICE_CLIENT_SECRET", "IAM_SERVICE_CLIENTS", "DATA_DIR"):
        env.pop(key, None)
    process = subprocess.Popen([str(shop), "up", "--port-offset", str(offset), "--data-dir", os.path.join(directory, "data")],
                               cwd=REPO, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    ports = {name: port + offset for name, port in SEED_PORTS.items()}
    ports["broker-metrics"] = BROKER_METRICS_PORT + offset
    try:
        for name, port in ports.items():
            if name == "broker":
                continue
            path = "/metrics" if name == "broker-metrics" else "/health/ready"
            wait_until(f"{name} ready on :{port}", lambda: http_status(f"http://127.0.0.1:{port}{path}") == 200,
                       START_TIMEOUT, process, log)
        yield {"ports": ports, "log": log, "gateway": f"http://127.0.0.1:{ports['gateway']}", "directory": directory}
    finally:
        stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def prometheus_config_for(stack_ports, scrape_interval="1s"):
    """compose/prometheus/prometheus.yml with each job's target moved to this stack's loopback port; every job,
    label and rule file kept."""
    config = yaml.safe_load((COMPOSE / "prometheus" / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = scrape_interval
    config["global"]["evaluation_interval"] = scrape_interval
    for job in config["scrape_configs"]:
        name = job["job_name"]
        port = stack_ports["broker-metrics" if name == "broker" else name]
        (static,) = job["static_configs"]
        (target,) = static["targets"]
        assert target.split(":")[0] == name, f"job {name} scrapes {target}"
        static["targets"] = [f"127.0.0.1:{port}"]
    return config


@pytest.fixture(scope="session")
def prometheus(stack):
    """The real Prometheus scraping the stack every second, with the compose rules loaded; yields a query function."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed (scripts/setup.sh installs Debian's package)")
    directory = tempfile.mkdtemp(prefix="shop-prometheus-")
    shutil.copy(COMPOSE / "prometheus" / "alerts.yml", directory)
    config_path = os.path.join(directory, "prometheus.yml")
    with open(config_path, "w") as f:
        yaml.safe_dump(prometheus_config_for(stack["ports"]), f)
    subprocess.run(["promtool", "check", "config", config_path], check=True, capture_output=True)
    port = free_port()
    log = os.path.join(directory, "prometheus.log")
    process = subprocess.Popen([binary, f"--config.file={config_path}", f"--storage.tsdb.path={directory}/data",
                                f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def api(path, **params):
        url = f"{base}/api/v1/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.load(error)

    try:
        wait_until("prometheus ready", lambda: http_status(f"{base}/-/ready") == 200, 60, process, log)

        # Targets reach the scrape loops a few seconds after start (discovery updates are batched): wait
        # for a first successful scrape of each, so that what the tests do next is seen from before.
        def all_scraped():
            targets = api("targets")["data"]["activeTargets"]
            return len(targets) == len(stack["ports"]) - 1 and all(t["health"] == "up" for t in targets)

        wait_until("every target scraped", all_scraped, 60, process, log)
        yield api
    finally:
        stop(process)
        shutil.rmtree(directory, ignore_errors=True)
