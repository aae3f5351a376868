"""A checkout through the gateway, as README's tour does it (API.md §11), for the tests of compose/:
an admin stocks a product, a shopper orders and pays, and a second order is cancelled before payment.
Used by test_prometheus_stack.py (against `shop up`) and by compose/test (against the containers).
Every wait is a bounded poll of the order. Run as a script: `python3 shopflow.py GATEWAY_URL ADMIN_EMAIL
ADMIN_PASSWORD` prints the order ids and exits non-zero on the first failed step."""
import json
import os
import sys
import time
import uuid

# testsupport/ (repository root): also when compose/test runs this file as a script.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testsupport"))
from shop_http import http_json  # noqa: E402  (re-exported: the tests call shopflow.http_json)


class FlowError(AssertionError):
    pass


class Shop:
    def __init__(self, gateway, traceparent=None):
        self.gateway = gateway.rstrip("/")
        # A client that traces: every request of the checkout is a child of the client's own span.
        self.headers = {"traceparent": traceparent} if traceparent else {}

    def call(self, method, path, body=None, token=None, expect=(200, 201, 202), headers=None):
        status, answer = http_json(method, self.gateway + path, body, token, {**self.headers, **(headers or {})})
        if status not in expect:
            raise FlowError(f"{method} {path}: {status} {json.dumps(answer)[:500]}")
        return answer.get("data") if isinstance(answer, dict) else answer

    def login(self, email, password):
        return self.call("POST", "/auth/login", {"email": email, "password": password})["accessToken"]

    def wait_status(self, order_id, token, wanted, timeout=60):
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            status = self.call("GET", f"/orders/{order_id}", token=token)["status"]
            if status == wanted:
                return
            time.sleep(0.2)
        raise FlowError(f"order {order_id} is {status}, not {wanted}, after {timeout} s")


def checkout(gateway, admin_email, admin_password, traceparent=None):
    """Returns {"paid": order id (FULFILLING), "cancelled": order id (CANCELLED, CUSTOMER_REQUEST)}. With
    `traceparent`, every request of it carries that header (one trace for the whole checkout)."""
    shop = Shop(gateway, traceparent)
    run = uuid.uuid4().hex[:8]
    admin = shop.login(admin_email, admin_password)
    email, password = f"shopper-{run}@example.com", "correct horse battery"
    shop.call("POST", "/auth/register", {"email": email, "password": password, "firstName": "Ada", "lastName": "Lovelace"})
    shopper = shop.login(email, password)
    category = shop.call("POST", "/categories", {"name": f"Apparel {run}"}, admin)["id"]
    product = shop.call("POST", "/products", {"sku": f"TS-{run}", "name": "Red T-shirt", "description": "Organic cotton",
                                               "price": {"amountMinor": 1999, "currency": "EUR"}, "categoryIds": [category]}, admin)["id"]
    warehouse = shop.call("POST", "/warehouses", {"code": f"W{run.upper()}", "name": "Main warehouse"}, admin)["id"]
    shop.call("POST", "/inventory/adjustments", {"productId": product, "warehouseId": warehouse, "delta": 10, "reason": "RECEIPT"}, admin)
    # The customer profile follows UserRegistered through the broker: poll until it is there.
    deadline = time.monotonic() + 30
    while http_json("GET", shop.gateway + "/customers/me", token=shopper)[0] != 200:
        if time.monotonic() > deadline:
            raise FlowError("the shopper's customer profile did not appear within 30 s")
        time.sleep(0.2)
    address = shop.call("POST", "/customers/me/addresses", {"recipientName": "Ada Lovelace", "line1": "12 St James Square",
                                                             "city": "London", "postalCode": "SW1Y 4JH", "country": "GB"}, shopper)["id"]
    orders = {}
    for name in ("paid", "cancelled"):
        # The catalog's product reaches the order service's projection through the broker (or read-through).
        shop.call("PUT", f"/cart/items/{product}", {"quantity": 1}, shopper)
        orders[name] = shop.call("POST", "/orders", {"shippingAddressId": address}, shopper,
                                 headers={"Idempotency-Key": f"order-{name}-{run}"})["id"]
        shop.wait_status(orders[name], shopper, "AWAITING_PAYMENT")
    shop.call("POST", "/payments/initiate", {"orderId": orders["paid"], "method": "CARD", "paymentToken": "tok_success"}, shopper,
              headers={"Idempotency-Key": f"pay-{run}"})
    shop.wait_status(orders["paid"], shopper, "FULFILLING")
    shop.call("POST", f"/orders/{orders['cancelled']}/cancel", token=shopper)
    shop.wait_status(orders["cancelled"], shopper, "CANCELLED")
    # One refused request, so that the 4xx panels have something to show.
    if http_json("GET", shop.gateway + "/orders")[0] != 401:
        raise FlowError("GET /orders without a token was not refused with 401")
    return orders


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: shopflow.py GATEWAY_URL ADMIN_EMAIL ADMIN_PASSWORD")
    try:
        print(json.dumps(checkout(*sys.argv[1:])))
    except FlowError as error:
        sys.exit(f"checkout failed: {error}")
