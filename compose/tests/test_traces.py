"""Traces across every hop: `shop up` exports its spans over OTLP/HTTP to the real receiver of conftest
(opentelemetry-proto decodes them as a collector would). One checkout whose client sends one `traceparent` on
each request is one trace: the gateway, the order service, the broker hop (the outbox's publish span and the
consumer's apply span), inventory, payment and shipping, each span's parent inside the trace. And the services'
JSON log lines name the trace and span they were written in."""
import json
import secrets
import time

import shopflow
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

SERVICES = {"gateway", "order", "inventory", "payment", "shipping"}


def spans_by_id(spans):
    return {span["span_id"]: span for span in spans}


def one(spans, what, predicate):
    found = [span for span in spans if predicate(span)]
    assert found, f"no {what} among {sorted((s['service'], s['kind'], s['name']) for s in spans)}"
    return found[0]


def test_one_checkout_is_one_trace(stack, otlp):
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    orders = shopflow.checkout(stack["gateway"], ADMIN_EMAIL, ADMIN_PASSWORD, traceparent=f"00-{trace_id}-{client_span}-01")

    # Spans leave each service in batches (half a second apart) and a parent ends after its children: wait
    # until the trace is whole: the services are all there, and every parent has arrived.
    def whole():
        spans = otlp.trace(trace_id)
        ids = spans_by_id(spans)
        # Shipping applies stock events of this trace early; the order's shipment command comes last.
        shipped = any(s["service"] == "shipping" and s["kind"] == "consumer" and s["parent_span_id"] in ids
                      and ids[s["parent_span_id"]]["service"] == "order" for s in spans)
        return SERVICES <= {s["service"] for s in spans} and shipped and \
            all(s["parent_span_id"] in ids or s["parent_span_id"] == client_span for s in spans)

    deadline = time.monotonic() + 60
    while not whole() and time.monotonic() < deadline:
        time.sleep(0.5)
    spans = otlp.trace(trace_id)
    ids = spans_by_id(spans)
    assert not otlp.errors, otlp.errors
    assert SERVICES <= {s["service"] for s in spans}, {s["service"] for s in spans}
    assert len(ids) == len(spans), "a span id was used twice"
    dangling = [s for s in spans if s["parent_span_id"] not in ids and s["parent_span_id"] != client_span]
    assert not dangling, f"parents outside the trace: {[(s['service'], s['name']) for s in dangling]}"
    assert all(s["end"] >= s["start"] > 0 for s in spans)

    def parent(span):
        return ids.get(span["parent_span_id"])

    # Client → gateway → order: POST /orders.
    placed = one(spans, "order server span of POST /orders",
                 lambda s: s["service"] == "order" and s["kind"] == "server" and s["name"] == "POST /orders")
    assert placed["attributes"].get("http.response.status_code") == 201, placed
    proxy = parent(placed)
    assert proxy and proxy["service"] == "gateway" and proxy["kind"] == "client", proxy
    entry = parent(proxy)
    assert entry and entry["service"] == "gateway" and entry["kind"] == "server", entry
    assert entry["parent_span_id"] == client_span

    # Order → broker → inventory: the reservation command published in that request's span, applied by inventory.
    reserve = one(spans, "inventory applying a command order published under POST /orders",
                  lambda s: s["service"] == "inventory" and s["kind"] == "consumer" and parent(s) is not None
                  and parent(s)["service"] == "order" and parent(s)["kind"] == "producer" and parent(parent(s)) is placed)
    assert reserve["attributes"].get("messaging.destination.name") == "inventory.commands", reserve

    # Payment learns the order is payable from the order service's event, within the same trace.
    one(spans, "payment applying an order event published by order",
        lambda s: s["service"] == "payment" and s["kind"] == "consumer" and parent(s) is not None
        and parent(s)["service"] == "order" and parent(s)["kind"] == "producer")

    # The payment request, then shipping applying the order's command after the payment was applied.
    initiated = one(spans, "payment server span of POST /payments/initiate",
                    lambda s: s["service"] == "payment" and s["kind"] == "server" and s["name"] == "POST /payments/initiate")
    assert parent(initiated)["service"] == "gateway"
    shipping = one(spans, "shipping applying an event published by order",
                   lambda s: s["service"] == "shipping" and s["kind"] == "consumer" and parent(s) is not None
                   and parent(s)["service"] == "order" and parent(s)["kind"] == "producer")
    # Walk up from shipping to the payment request: the saga's hops are all links of one chain.
    chain, span = [], shipping
    while span is not None and span is not initiated:
        chain.append(f"{span['service']}:{span['kind']}:{span['name']}")
        span = parent(span)
    assert span is initiated, "shipping's span does not descend from POST /payments/initiate: " + " <- ".join(chain)
    assert {"payment", "order", "shipping"} <= {link.split(":")[0] for link in chain}, chain

    # Logs (LOG_FORMAT=json under this stack): the order service's access line of that request names its span.
    lines = []
    with open(stack["log"], errors="replace") as f:
        for raw in f:
            name, bar, line = raw.rstrip("\n").partition("| ")
            if bar and line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    pass
    traced = [line for line in lines if line.get("trace_id") == trace_id]
    assert any(line.get("service") == "order" and line.get("span_id") == placed["span_id"]
               and line.get("message", "").startswith("POST /orders ") for line in traced), \
        f"no order access line with trace {trace_id} and span {placed['span_id']}"
    assert {"gateway", "order", "payment"} <= {line.get("service") for line in traced}
    assert orders["paid"]
    print(f"\n[traces] {len(spans)} spans in trace {trace_id}; shipping chain: {' <- '.join(chain)}")
