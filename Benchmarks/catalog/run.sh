#!/usr/bin/env bash
# Load-tests three catalog reads with `hey` (Debian package `hey`), directly on the service (8083) and
# through the gateway (8080), and prints requests/s with p50 and p99 latency for each:
#   1. GET /products/{id}              (a product seeded by seed.sh)
#   2. GET /categories/{id}/products   (a root category: its whole subtree, newest first)
#   3. GET /products?q=…               (full-text search, ranked)
# Run seed.sh first. The numbers are only meaningful on an otherwise idle machine: say when and where
# they were measured.
set -euo pipefail

DIRECT=${DIRECT:-http://127.0.0.1:8083}
GATEWAY=${GATEWAY:-http://127.0.0.1:8080}
IDS=${IDS:-/tmp/catalog-bench-ids}
REQUESTS=${REQUESTS:-5000}
CONCURRENCY=${CONCURRENCY:-32}
# Which of the two to measure: "direct gateway" (default), or one of them.
TARGETS=${TARGETS:-direct gateway}

command -v hey >/dev/null || { echo "needs hey (apt-get install hey)" >&2; exit 1; }
PRODUCT=$(sed -n '100p' "$IDS/products")
CATEGORY=$(sed -n '1p' "$IDS/categories")
SEARCH=${SEARCH:-q=organic%20lam}

summary() { # label url
  local out
  out=$(hey -n "$REQUESTS" -c "$CONCURRENCY" "$2")
  local rps p50 p99 codes
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/ 50% in/ {print $3 * 1000}' <<<"$out")
  p99=$(awk '/ 99% in/ {print $3 * 1000}' <<<"$out")
  codes=$(awk '/^ +\[[0-9]+\]/ {printf "%s×%s ", $1, $2}' <<<"$out")
  printf '%-40s %10s req/s   p50 %7.2f ms   p99 %7.2f ms   %s\n' "$1" "$rps" "$p50" "$p99" "$codes"
}

echo "catalog read benchmark: $REQUESTS requests, $CONCURRENCY concurrent, $(date -u +%FT%TZ), $(nproc) cores"
for name in $TARGETS; do
  case $name in
    direct) base=$DIRECT ;;
    gateway) base=$GATEWAY ;;
    *) echo "unknown target $name" >&2; exit 1 ;;
  esac
  summary "$name GET /products/{id}" "$base/products/$PRODUCT"
  summary "$name GET /categories/{id}/products" "$base/categories/$CATEGORY/products"
  summary "$name GET /products?$SEARCH" "$base/products?$SEARCH"
done
