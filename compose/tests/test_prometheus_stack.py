"""The real Prometheus (Debian's 2.42) against `shop up`: every target of compose/prometheus/prometheus.yml
is scraped, every alert rule evaluates without error (and none fires on a healthy stack), and every
Grafana panel's query evaluates without error and with data wherever the stack has some after a checkout."""
import json
import re
import time

import pytest
import yaml

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, COMPOSE, wait_until
import shopflow

# Panels whose query has no data on a healthy stack after one checkout and one cancellation, and why.
NO_DATA_EXPECTED = {
    "5xx answers per second": "no request failed",
    "Handler failures and dead letters": "no event failed (the series are made on the first failure)",
    "Gateway: 429 answers": "nothing was rate limited",
    "Dead-letter topics: records": "no event was dead-lettered, so no .dlt topic exists",
    "Refunds": "no order was refunded (the cancelled one was never paid)",
}
# Metrics the alert rules read that a healthy `shop up` does not export, and why.
ABSENT_METRICS_EXPECTED = {
    "kubelet_volume_stats_available_bytes": "the kubelet's, on Kubernetes only",
    "kubelet_volume_stats_capacity_bytes": "the kubelet's, on Kubernetes only",
    "consumer_events_dead_lettered_total": "made on the first dead letter",
    "consumer_handler_failures_total": "made on the first failed attempt to apply an event",
    "gateway_rate_limited_total": "made on the first 429",
}
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "topk", "bottomk", "by", "without", "and", "or", "unless", "on", "ignoring",
    "group_left", "group_right", "rate", "irate", "increase", "delta", "histogram_quantile", "bool", "offset",
    "label_values", "inf", "nan",
}


def substitute(expr):
    """Grafana's variables as the dashboards use them: every service, a one-minute rate window, a ten-minute range."""
    return expr.replace("$__rate_interval", "1m").replace("$__range", "10m").replace('=~"$service"', '=~".+"')


def metric_names(expr):
    """The metric names an expression reads: identifiers outside label matchers, strings and `by (…)` lists."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    return {name for name in re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", text)
            if name.lower() not in PROMQL_WORDS and "_" in name}


def dashboard_targets():
    for path in sorted((COMPOSE / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                yield path.stem, panel["title"], target["expr"]


def alert_rules():
    for group in yaml.safe_load((COMPOSE / "prometheus" / "alerts.yml").read_text())["groups"]:
        for rule in group["rules"]:
            yield rule["alert"], rule["expr"]


@pytest.fixture(scope="module")
def scraped(stack, prometheus):
    """A checkout through the stack's gateway, then every target up and the order gauges showing it."""
    orders = shopflow.checkout(stack["gateway"], ADMIN_EMAIL, ADMIN_PASSWORD)

    def all_up():
        targets = prometheus("targets")["data"]["activeTargets"]
        return len(targets) == 11 and all(t["health"] == "up" for t in targets)

    wait_until("every target scraped and up", all_up, 60)

    def funnel_seen():
        answer = prometheus("query", query='order_orders{status="FULFILLING"} >= 1 and on() order_orders_cancelled{reason="CUSTOMER_REQUEST"} >= 1')
        return bool(answer["data"]["result"])

    wait_until("the order gauges show the checkout", funnel_seen, 30)
    # Rates need two samples after the traffic; scrapes are every second, the windows a minute.
    time.sleep(3)
    return orders


def test_every_target_is_scraped(prometheus, scraped):
    targets = prometheus("targets")["data"]["activeTargets"]
    jobs = sorted(t["labels"]["job"] for t in targets)
    assert jobs == sorted(["broker", "config", "discovery", "iam", "customer", "catalog", "order", "inventory",
                           "payment", "shipping", "gateway"])
    assert all(t["health"] == "up" and not t["lastError"] for t in targets), targets


def test_every_alert_rule_evaluates_and_none_fires(prometheus, scraped):
    # Rules are evaluated every second; wait for one evaluation after the traffic.
    wait_until("rules evaluated", lambda: all(r.get("lastEvaluation", "0001").startswith("20")
                                               for g in prometheus("rules")["data"]["groups"] for r in g["rules"]), 30)
    rules = {r["name"]: r for g in prometheus("rules")["data"]["groups"] for r in g["rules"]}
    assert set(rules) == {name for name, _ in alert_rules()}
    for name, rule in rules.items():
        assert rule["health"] == "ok" and not rule.get("lastError"), (name, rule.get("lastError"))
    firing = prometheus("alerts")["data"]["alerts"]
    assert firing == [], f"alerts on a healthy stack: {json.dumps(firing)[:2000]}"


def test_every_metric_the_rules_and_panels_read_exists(prometheus, scraped):
    present = {r["metric"]["__name__"] for r in prometheus("query", query='count by (__name__) ({__name__=~".+"})')["data"]["result"]}
    needed = {}
    for name, expr in alert_rules():
        for metric in metric_names(expr):
            needed.setdefault(metric, []).append(f"alert {name}")
    for board, title, expr in dashboard_targets():
        for metric in metric_names(substitute(expr)):
            needed.setdefault(metric, []).append(f"{board}: {title}")
    for metric in ("histogram_quantile",):
        needed.pop(metric, None)
    missing = {m: users for m, users in needed.items()
               if m not in present and m.removesuffix("_bucket") + "_bucket" not in present and m not in ABSENT_METRICS_EXPECTED}
    assert not missing, f"metrics read but not exported: {missing}"


def test_every_dashboard_query_evaluates_with_data(prometheus, scraped):
    empty, errors = [], []
    for board, title, expr in dashboard_targets():
        answer = prometheus("query", query=substitute(expr))
        if answer["status"] != "success":
            errors.append(f"{board} / {title}: {answer.get('error')}  [{expr}]")
        elif not answer["data"]["result"] and title not in NO_DATA_EXPECTED:
            empty.append(f"{board} / {title}  [{substitute(expr)}]")
    assert not errors, "\n".join(errors)
    assert not empty, "queries without data:\n" + "\n".join(empty)
