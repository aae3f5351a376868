"""Operations: Prometheus metrics, graceful shutdown, --help."""
import re
import subprocess
import urllib.request

from conftest import BROKER_BIN, kcat


def scrape(broker):
    with urllib.request.urlopen(f"http://127.0.0.1:{broker.metrics_port}/metrics", timeout=10) as response:
        assert response.status == 200
        return response.read().decode()


def metric(text, name, labels=""):
    pattern = re.escape(name) + (r"\{" + labels + r"\}" if labels else r"(\{[^}]*\})?") + r" ([0-9.e+]+)"
    match = re.search(pattern, text)
    assert match, f"{name}{{{labels}}} not found"
    return float(match.group(match.lastindex))


def test_metrics_count_traffic_and_state(broker, topic):
    before = scrape(broker)
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"".join(b"m%d\n" % i for i in range(50)))
    kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e")
    after = scrape(broker)
    assert metric(after, "broker_records_in_total") >= metric(before, "broker_records_in_total") + 50
    assert metric(after, "broker_records_out_total") >= metric(before, "broker_records_out_total") + 50
    assert metric(after, "broker_bytes_in_total") > metric(before, "broker_bytes_in_total")
    assert metric(after, "broker_requests_total", 'api="produce"') >= 1
    assert 'broker_request_duration_seconds_bucket{api="fetch"' in after
    assert metric(after, "broker_log_end_offset", f'topic="{topic}",partition="0"') == 50
    assert metric(after, "broker_partitions") >= 1
    assert "broker_connections" in after and 'broker_groups{state="Stable"}' in after


def test_sigterm_flushes_and_marks_logs_clean(fresh_broker, topic):
    broker = fresh_broker
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"a\nb\n")
    assert broker.stop() == 0
    assert "shutdown complete" in broker.log()
    broker.start()
    last_start = [line for line in broker.log().splitlines() if "broker started" in line][-1]
    assert "recovered_partitions=0" in last_start
    out = kcat("-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e").stdout.split()
    assert out == [b"a", b"b"]


def test_help_documents_every_option():
    text = subprocess.run([BROKER_BIN, "--help"], capture_output=True, text=True, timeout=30).stdout
    for option in ["--listen", "--data-dir", "--node-id", "--advertised-listener", "--metrics-listen", "BROKER_LISTEN",
                   "BROKER_DATA_DIR", "--retention-ms", "--flush-messages", "--max-frame-bytes", "--max-connections"]:
        assert option in text, option


def test_bad_configuration_is_a_clear_error(tmp_path):
    result = subprocess.run([BROKER_BIN, "--listen", "nonsense", "--data-dir", str(tmp_path)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode != 0
    assert "HOST:PORT" in result.stderr


def test_connection_limit_and_idle_timeout(fresh_broker, topic):
    import socket
    import time
    broker = fresh_broker
    broker.extra_args = ["--max-connections", "2", "--idle-timeout-ms", "1000"]
    broker.restart()
    first = socket.create_connection(("127.0.0.1", broker.port), timeout=5)
    second = socket.create_connection(("127.0.0.1", broker.port), timeout=5)
    third = socket.create_connection(("127.0.0.1", broker.port), timeout=5)
    # The third is over the limit: the broker closes it at once.
    assert third.recv(1) == b""
    # Idle connections are closed after the idle timeout (1 s here); recv returns when they are.
    started = time.monotonic()
    assert first.recv(1) == b""
    assert time.monotonic() - started < 10
    for s in (first, second, third):
        s.close()
    # Once they are gone, clients connect again.
    kcat("-b", broker.bootstrap, "-P", "-t", topic, input=b"after\n")
