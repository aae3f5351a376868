#!/usr/bin/env python3
"""Writes the Grafana dashboards in dashboards/ (run it after changing a panel; the test checks that the
committed JSON is what this script writes). Every query is evaluated against a real Prometheus scraping
`shop up` by compose/tests/test_prometheus_stack.py, with `$service` and `$__rate_interval` substituted."""
import json
import pathlib

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
HERE = pathlib.Path(__file__).resolve().parent


def panel(title, targets, unit="short", kind="timeseries", description="", stack=False):
    """One panel; `targets` is a list of (expr, legend)."""
    result = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }
    if kind == "timeseries" and stack:
        result["fieldConfig"]["defaults"]["custom"] = {"stacking": {"mode": "normal"}}
    return result


def dashboard(uid, title, rows, variables=()):
    panels, y, next_id = [], 0, 1
    for row_title, row_panels in rows:
        panels.append({"type": "row", "title": row_title, "id": next_id, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        next_id += 1
        y += 1
        width = 24 // min(len(row_panels), 3)
        for i, p in enumerate(row_panels):
            p["id"] = next_id
            next_id += 1
            p["gridPos"] = {"h": 8, "w": width, "x": (i % 3) * width, "y": y + (i // 3) * 8}
            panels.append(p)
        y += 8 * ((len(row_panels) + 2) // 3)
    return {
        "uid": uid,
        "title": title,
        "tags": ["shop"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": list(variables)},
        "annotations": {"list": []},
        "panels": panels,
    }


SERVICE_VARIABLE = {
    "name": "service", "label": "service", "type": "query", "datasource": DATASOURCE,
    "query": {"query": "label_values(http_requests_total, service)", "refId": "service"},
    "definition": "label_values(http_requests_total, service)",
    "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+",
    "current": {"text": "All", "value": "$__all"},
}

RI = "$__rate_interval"


def latency(metric, selector, by, q):
    return f"histogram_quantile({q}, sum by ({by}le) (rate({metric}_bucket{{{selector}}}[{RI}])))"


broker = dashboard("shop-broker", "Shop / Broker", [
    ("Throughput", [
        panel("Records in / out per second", [
            (f"sum(rate(broker_records_in_total[{RI}]))", "in (produced)"),
            (f"sum(rate(broker_records_out_total[{RI}]))", "out (fetched)")], unit="ops"),
        panel("Bytes in / out per second", [
            (f"sum(rate(broker_bytes_in_total[{RI}]))", "in"),
            (f"sum(rate(broker_bytes_out_total[{RI}]))", "out")], unit="Bps"),
        panel("Requests per second by API", [(f"sum by (api) (rate(broker_requests_total[{RI}])) > 0", "{{api}}")], unit="reqps"),
    ]),
    ("Latency", [
        panel("Produce latency (acks=all includes the fsync)", [
            (latency("broker_request_duration_seconds", 'api="produce"', "", 0.5), "p50"),
            (latency("broker_request_duration_seconds", 'api="produce"', "", 0.99), "p99")], unit="s"),
        panel("Fetch latency (long polls wait up to max_wait)", [
            (latency("broker_request_duration_seconds", 'api="fetch"', "", 0.5), "p50"),
            (latency("broker_request_duration_seconds", 'api="fetch"', "", 0.99), "p99")], unit="s"),
        panel("Requests answered with an error code", [(f"sum by (api) (rate(broker_request_errors_total[{RI}]))", "{{api}}")], unit="reqps"),
    ]),
    ("Consumers", [
        panel("Lag per group and topic (records)", [("sum by (group, topic) (consumer_lag_records)", "{{group}} ← {{topic}}")],
              description="Reported by each consuming service: records after the offset stored in its database."),
        panel("Consumer groups by state", [("sum by (state) (broker_groups)", "{{state}}")], stack=True),
        panel("Open connections", [("sum(broker_connections)", "connections")]),
    ]),
    ("Disk", [
        panel("Log size by topic", [("sum by (topic) (broker_log_size_bytes)", "{{topic}}")], unit="bytes", stack=True),
        panel("Total log size", [("sum(broker_log_size_bytes)", "bytes on disk")], unit="bytes", kind="stat"),
        panel("Records appended per topic", [(f"sum by (topic) (rate(broker_log_end_offset[{RI}])) > 0", "{{topic}}")], unit="ops"),
        panel("Partitions", [("sum(broker_partitions)", "partitions")], kind="stat"),
        panel("Dead-letter topics: records", [('sum by (topic) (broker_log_end_offset{topic=~".+\\\\.dlt"})', "{{topic}}")], kind="stat",
              description="Log end offset of each <topic>.<group>.dlt: every record ever dead-lettered there."),
        panel("Recovery at start-up", [
            ("sum(broker_recovery_truncations_total)", "segment tails cut"),
            ("sum(broker_recovery_truncated_bytes_total)", "bytes cut")], kind="stat"),
    ]),
])

SEL = 'service=~"$service"'
services = dashboard("shop-services", "Shop / Services (RED)", [
    ("Rate, errors, duration", [
        panel("Requests per second by service", [(f"sum by (service) (rate(http_requests_total{{{SEL}}}[{RI}]))", "{{service}}")], unit="reqps"),
        panel("5xx answers per second", [(f'sum by (service) (rate(http_requests_total{{{SEL}, status=~"5.."}}[{RI}]))', "{{service}}")], unit="reqps"),
        panel("4xx answers per second", [(f'sum by (service) (rate(http_requests_total{{{SEL}, status=~"4.."}}[{RI}]))', "{{service}}")], unit="reqps"),
        panel("p50 latency", [(latency("http_request_duration_seconds", SEL, "service, ", 0.5), "{{service}}")], unit="s"),
        panel("p99 latency", [(latency("http_request_duration_seconds", SEL, "service, ", 0.99), "{{service}}")], unit="s"),
        panel("Slowest routes (p99)", [(f"topk(10, {latency('http_request_duration_seconds', SEL, 'service, method, route, ', 0.99)})",
                                        "{{service}} {{method}} {{route}}")], unit="s"),
    ]),
    ("Per route", [
        panel("Requests per second by route", [(f"sum by (service, method, route) (rate(http_requests_total{{{SEL}}}[{RI}])) > 0",
                                                 "{{service}} {{method}} {{route}}")], unit="reqps"),
        panel("Status codes", [(f"sum by (status) (rate(http_requests_total{{{SEL}}}[{RI}]))", "{{status}}")], unit="reqps", stack=True),
        panel("Gateway upstream calls by outcome", [(f"sum by (service, outcome) (rate(gateway_upstream_calls_total[{RI}]))",
                                                     "{{service}} {{outcome}}")], unit="reqps"),
    ]),
    ("Messaging", [
        panel("Outbox: unpublished rows", [(f"sum by (service) (outbox_unpublished_rows{{{SEL}}})", "{{service}}")]),
        panel("Outbox: oldest unpublished row", [(f"max by (service) (outbox_oldest_unpublished_age_seconds{{{SEL}}})", "{{service}}")], unit="s"),
        panel("Outbox: published per second", [(f"sum by (service) (rate(outbox_published_total{{{SEL}}}[{RI}]))", "{{service}}")], unit="ops"),
        panel("Events applied per second", [(f"sum by (service, topic) (rate(consumer_events_applied_total{{{SEL}}}[{RI}]))",
                                             "{{service}} ← {{topic}}")], unit="ops"),
        panel("Handler failures and dead letters", [
            (f"sum by (service, topic) (rate(consumer_handler_failures_total{{{SEL}}}[{RI}]))", "failed {{service}} ← {{topic}}"),
            (f"sum by (service, topic) (increase(consumer_events_dead_lettered_total{{{SEL}}}[{RI}]))", "dead-lettered {{service}} ← {{topic}}")]),
        panel("Consumer lag", [(f"sum by (service, topic) (consumer_lag_records{{{SEL}}})", "{{service}} ← {{topic}}")]),
    ]),
    ("Processes", [
        panel("Up", [("up", "{{job}}")], kind="stat"),
        panel("Gateway: 429 answers", [(f"sum by (route) (rate(gateway_rate_limited_total[{RI}]))", "{{route}}")], unit="reqps"),
    ]),
], variables=[SERVICE_VARIABLE])

PAID_OR_LATER = "PAID|FULFILLING|SHIPPED|DELIVERED|COMPLETED|RETURN_REQUESTED|RETURNED"
checkout = dashboard("shop-checkout", "Shop / Checkout funnel", [
    ("Funnel", [
        panel("Orders placed (POST /orders → 201)", [
            ('sum(increase(http_requests_total{service="order", method="POST", route="/orders", status="201"}[$__range]))', "placed")],
            kind="stat", description="In the dashboard's time range, from the order service's HTTP metrics (replays of an Idempotency-Key answer 201 too)."),
        panel("Orders by status", [("sum by (status) (order_orders) > 0", "{{status}}")], kind="bargauge",
              description="Every order in the order service's database, by its status (the saga's state)."),
        panel("Paid (or further)", [(f'sum(order_orders{{status=~"{PAID_OR_LATER}"}})', "paid or further")], kind="stat"),
        panel("Placed per minute", [(f'sum(rate(http_requests_total{{service="order", method="POST", route="/orders", status="201"}}[{RI}])) * 60', "placed")]),
        panel("Payments initiated per minute", [(f'sum by (status) (rate(http_requests_total{{service="payment", method="POST", route="/payments/initiate"}}[{RI}])) * 60', "{{status}}")]),
        panel("Delivered or completed", [('sum(order_orders{status=~"DELIVERED|COMPLETED"})', "delivered or completed")], kind="stat"),
    ]),
    ("Cancellations", [
        panel("Cancelled by reason", [("sum by (reason) (order_orders_cancelled) > 0", "{{reason}}")], kind="bargauge"),
        panel("Cancellations over time", [("sum by (reason) (delta(order_orders_cancelled[15m])) > 0", "{{reason}}")]),
        panel("Refunds", [('sum by (status) (order_orders{status=~"REFUND_PENDING|REFUNDED|REFUND_FAILED"})', "{{status}}")], kind="stat"),
    ]),
    ("Stuck", [
        panel("Stuck orders (flag)", [("sum(order_orders_stuck)", "stuck")], kind="stat",
              description="A checkout message went to the dead-letter topic (C14): an operator must look."),
        panel("Oldest order waiting on a service", [("max(order_in_flight_oldest_age_seconds)", "age")], unit="s",
              description="PENDING_RESERVATION, PAYMENT_PROCESSING, PAID, CANCELLATION_PENDING or REFUND_PENDING."),
        panel("Orders in flight", [('sum by (status) (order_orders{status=~"PENDING_RESERVATION|PAYMENT_PROCESSING|PAID|CANCELLATION_PENDING|REFUND_PENDING"})', "{{status}}")], stack=True),
    ]),
])

for name, board in [("broker", broker), ("services", services), ("checkout", checkout)]:
    (HERE / "dashboards" / f"{name}.json").write_text(json.dumps(board, indent=2, ensure_ascii=False) + "\n")
