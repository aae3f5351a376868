#!/usr/bin/env bash
# Seeds the catalog through its HTTP API: CATEGORIES categories (20 roots with children) and PRODUCTS
# products spread over them, with names and descriptions drawn from a small vocabulary so text searches
# have realistic hit counts. Writes the ids the benchmark needs to $OUT.
#
#   ADMIN_TOKEN=… Benchmarks/catalog/seed.sh                  # directly on 8083
#   BASE=http://127.0.0.1:8080 ADMIN_TOKEN=… Benchmarks/catalog/seed.sh   # through the gateway
#
# Requests run PARALLEL at a time (bounded); progress is printed every 500 products.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8083}
PRODUCTS=${PRODUCTS:-10000}
CATEGORIES=${CATEGORIES:-200}
PARALLEL=${PARALLEL:-8}
OUT=${OUT:-/tmp/catalog-bench-ids}
: "${ADMIN_TOKEN:?set ADMIN_TOKEN to an admin access token}"

command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }
mkdir -p "$OUT"
RUN=$(date +%s)

post() { # path json → data.id
  curl -sS --fail-with-body --max-time 30 -X POST "$BASE$1" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$2" | jq -r .data.id
}

echo "seeding $CATEGORIES categories on $BASE"
: > "$OUT/categories"
ROOTS=20
for r in $(seq 1 $ROOTS); do
  root=$(post /categories "{\"name\":\"Department $r ($RUN)\"}")
  echo "$root" >> "$OUT/categories"
  for c in $(seq 1 $(( CATEGORIES / ROOTS - 1 ))); do
    post /categories "{\"name\":\"Aisle $r.$c\",\"parentId\":\"$root\"}" >> "$OUT/categories"
  done
done
mapfile -t CATS < "$OUT/categories"
echo "  $(wc -l < "$OUT/categories") categories"

WORDS=(cotton linen wool café crème lantern brass copper ceramic organic vintage classic modern
       rustic velvet denim leather bamboo marble walnut oak steel glass silk canvas)
NOUNS=(shirt mug lamp chair table scarf jacket bowl vase blanket candle kettle basket rug clock)

seed_one() {
  local i=$1
  local w1=${WORDS[$(( i % ${#WORDS[@]} ))]} w2=${WORDS[$(( (i / 7) % ${#WORDS[@]} ))]}
  local n=${NOUNS[$(( (i / 3) % ${#NOUNS[@]} ))]}
  local cat=${CATS[$(( i % ${#CATS[@]} ))]}
  local body
  body=$(printf '{"sku":"BENCH-%s-%06d","name":"%s %s %s","description":"A %s %s made of %s, item %d","price":{"amountMinor":%d,"currency":"EUR"},"categoryIds":["%s"]}' \
         "$RUN" "$i" "${w1^}" "$w2" "$n" "$w2" "$n" "$w1" "$i" $(( (i * 7919) % 100000 + 99 )) "$cat")
  post /products "$body"
}
export -f seed_one post
export BASE ADMIN_TOKEN RUN
export WORDS_STR="${WORDS[*]}" NOUNS_STR="${NOUNS[*]}" CATS_STR="${CATS[*]}"

echo "seeding $PRODUCTS products, $PARALLEL at a time"
: > "$OUT/products"
start=$(date +%s)
batch=0
while [ "$batch" -lt "$PRODUCTS" ]; do
  end=$(( batch + 500 ))
  [ "$end" -gt "$PRODUCTS" ] && end=$PRODUCTS
  seq "$batch" $(( end - 1 )) \
    | xargs -P "$PARALLEL" -n 1 bash -c 'WORDS=($WORDS_STR); NOUNS=($NOUNS_STR); CATS=($CATS_STR); seed_one "$1"' _ \
    >> "$OUT/products"
  now=$(date +%s)
  echo "  $end / $PRODUCTS products, $(( now - start )) s"
  batch=$end
done
echo "done: ids in $OUT"
