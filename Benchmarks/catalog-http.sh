#!/usr/bin/env bash
# Catalog reads under load, directly and through the gateway: a fresh release stack (`shop up` on its own
# ports and data directory, the gateway's rate limits lifted), PRODUCTS products in CATEGORIES categories
# seeded through the HTTP API, then `hey` (Debian package) on GET /products/{id}, a category listing and a
# text search, on the catalog's port and on the gateway's. Prints requests/s, p50 and p99 per case.
# Never a CI gate.
#
#   Benchmarks/catalog-http.sh [SECONDS] [CONNECTIONS]      (default 15 s per case, 32 connections)
#   PRODUCTS=10000 CATEGORIES=200 PORT_OFFSET=300 (environment)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_CASE=${1:-15}
CONNECTIONS=${2:-32}
export PRODUCTS=${PRODUCTS:-10000} CATEGORIES=${CATEGORIES:-200}
OFFSET=${PORT_OFFSET:-300}
command -v hey >/dev/null || { echo "hey is missing: apt-get install hey" >&2; exit 1; }
./scripts/setup.sh
swift build -c release --product shop >/dev/null
swift build -c release --product broker >/dev/null
DATA=$(mktemp -d /tmp/catalog-bench-XXXXXX)
ADMIN_PASSWORD=bench-admin-password-0
IAM_ADMIN_PASSWORD=$ADMIN_PASSWORD GATEWAY_RATE_BURST=1000000 GATEWAY_RATE_PER_MINUTE=100000000 \
    GATEWAY_AUTH_RATE_BURST=100000 GATEWAY_AUTH_RATE_PER_MINUTE=1000000 LOG_LEVEL=warning LOG_FORMAT=json \
    .build/release/shop up --data-dir "$DATA" --port-offset "$OFFSET" --only broker,iam,catalog,gateway \
    > "$DATA/stack.log" 2>&1 &
STACK_PID=$!
trap 'kill $STACK_PID 2>/dev/null || true; wait $STACK_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
export GATEWAY=http://127.0.0.1:$((8080 + OFFSET)) CATALOG=http://127.0.0.1:$((8083 + OFFSET))
export IAM=http://127.0.0.1:$((8081 + OFFSET)) ADMIN_PASSWORD
for _ in $(seq 600); do
    curl -fs "$GATEWAY/health/live" >/dev/null 2>&1 && curl -fs "$CATALOG/health/ready" >/dev/null 2>&1 && break
    kill -0 $STACK_PID 2>/dev/null || { cat "$DATA/stack.log"; exit 1; }
    sleep 0.2
done
# Seeds and prints "PRODUCT_ID CATEGORY_ID WORD" for the cases.
read -r PRODUCT CATEGORY WORD < <(python3 Benchmarks/catalog_seed.py)
echo "cases: product $PRODUCT, category $CATEGORY (a root: its subtree), search \"$WORD\"; $SECONDS_PER_CASE s each, $CONNECTIONS connections"
printf '%-34s %-8s %10s %9s %9s %8s\n' case via "requests/s" "p50 ms" "p99 ms" "non-2xx"
for path in "/products/$PRODUCT" "/categories/$CATEGORY/products?limit=20" "/products?q=$WORD&limit=20"; do
    for via in catalog gateway; do
        base=$CATALOG; [ $via = gateway ] && base=$GATEWAY
        hey -z "${SECONDS_PER_CASE}s" -c "$CONNECTIONS" "$base$path" > "$DATA/hey.txt"
        python3 - "$path" "$via" "$DATA/hey.txt" <<'PY'
import re, sys
path, via, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"50% in ([\d.]+) secs", text)
p99 = re.search(r"99% in ([\d.]+) secs", text)
codes = dict((int(c), int(n)) for c, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text))
bad = sum(n for c, n in codes.items() if not 200 <= c < 300)
fmt = lambda m, k=1000: f"{float(m.group(1)) * k:.2f}" if m else "-"
print(f"{path[:34]:<34} {via:<8} {fmt(rps, 1).rjust(10)} {fmt(p50).rjust(9)} {fmt(p99).rjust(9)} {bad:>8}")
PY
    done
done
