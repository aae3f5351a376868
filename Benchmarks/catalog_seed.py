"""Seeds the catalog for Benchmarks/catalog-http.sh through its HTTP API: CATEGORIES categories (a tenth of
them roots, the rest their children) and PRODUCTS products spread over them, 8 requests in flight,
progress on stderr. Prints "PRODUCT_ID ROOT_CATEGORY_ID WORD" for the load cases."""
import json
import os
import random
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

CATALOG, IAM = os.environ["CATALOG"], os.environ["IAM"]
PRODUCTS, CATEGORIES = int(os.environ["PRODUCTS"]), int(os.environ["CATEGORIES"])
WORDS = ["linen", "cotton", "wool", "shirt", "trousers", "jacket", "scarf", "boots", "café", "crème", "blue", "red",
         "green", "slim", "relaxed", "classic", "summer", "winter", "organic", "recycled"]


def call(method, url, body=None, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["data"]
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {url}: {error.code} {error.read()[:300]!r}")
        except OSError:
            if attempt == 4:
                raise
            time.sleep(0.5)


def main():
    token = call("POST", IAM + "/auth/login", {"email": "admin@shop.local", "password": os.environ["ADMIN_PASSWORD"]})["accessToken"]
    rng = random.Random(7)
    roots = [call("POST", CATALOG + "/categories", {"name": f"Department {i}"}, token)["id"] for i in range(max(1, CATEGORIES // 10))]
    children = [call("POST", CATALOG + "/categories", {"name": f"Aisle {i}", "parentId": roots[i % len(roots)]}, token)["id"]
                for i in range(CATEGORIES - len(roots))]
    leaves = children or roots

    def product(i):
        words = rng.sample(WORDS, 3)
        return call("POST", CATALOG + "/products", {
            "sku": f"BENCH-{i:06d}", "name": " ".join(words).title() + f" {i}",
            "description": f"A {words[0]} {words[1]} made for the benchmark, number {i}.",
            "price": {"amountMinor": 500 + (i * 37) % 20000, "currency": "EUR"},
            "categoryIds": [leaves[i % len(leaves)]]}, token)["id"]

    started, ids = time.monotonic(), []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n, product_id in enumerate(pool.map(product, range(PRODUCTS)), 1):
            ids.append(product_id)
            if n % 1000 == 0 or n == PRODUCTS:
                print(f"seeded {n}/{PRODUCTS} products ({n / (time.monotonic() - started):.0f}/s)", file=sys.stderr)
    print(ids[len(ids) // 2], roots[0], "linen")


main()
