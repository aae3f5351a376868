#!/usr/bin/env bash
# Before/after latency of two builds of the broker and brokerctl, interleaved round by round so that both
# see the same machine load: each round runs, for each build, brokerctl bench produce (that build's own
# Swift client) and librdkafka (Benchmarks/peers/peer-bench.c, the same client for both) at one offered
# rate, acks=1 and acks=all, linger 0, 100-byte records, 1 partition. Prints one line per run and the
# medians per build. Bounded: ROUNDS x 8 runs of RECORDS records. Never a CI gate.
#
#   Benchmarks/latency-ab.sh BEFORE_DIR AFTER_DIR [RATE] [ROUNDS]
#   (each DIR holds a release `broker` and `brokerctl`; RATE defaults to 10000, ROUNDS to 3)
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$1 AFTER=$2 RATE=${3:-10000} ROUNDS=${4:-3}
RECORDS=$(( RATE * 2 ))
WORK=$(mktemp -d /tmp/latency-ab-XXXXXX)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/peer-bench" Benchmarks/peers/peer-bench.c -lrdkafka -lhiredis -lnats -lpthread -lm
declare -A PORT=([before]=19611 [after]=19612) DIR=([before]=$BEFORE [after]=$AFTER)
for build in before after; do
    mkdir -p "$WORK/$build"
    "${DIR[$build]}/broker" --listen 127.0.0.1:${PORT[$build]} --data-dir "$WORK/$build" --metrics-listen 127.0.0.1:0 \
        --log-level warning > "$WORK/$build.log" 2>&1 &
    PIDS+=($!)
done
for build in before after; do
    for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/${PORT[$build]}) 2>/dev/null && break; sleep 0.1; done
done
RESULTS=$WORK/results.jsonl
show() { tail -1 "$RESULTS" | python3 Benchmarks/peers/summary_line.py "round $round $build $1 acks=$acks load $load" || true; }
for round in $(seq "$ROUNDS"); do
    for build in before after; do
        for acks in 1 all; do
            load=$(cut -d' ' -f1-3 /proc/loadavg)
            timeout 120 "${DIR[$build]}/brokerctl" -b 127.0.0.1:${PORT[$build]} --json bench produce --topic "swift-$acks-$round" \
                --partitions 1 --records $RECORDS --record-size 100 --acks $acks --rate "$RATE" --linger-ms 0 --max-seconds 60 2>/dev/null \
                | python3 -c 'import json,sys; r=json.load(sys.stdin); r.update(build=sys.argv[1], client="swift", acks=sys.argv[2], load=sys.argv[3]); print(json.dumps(r))' "$build" "$acks" "$load" >> "$RESULTS"
            show "brokerctl bench"
            "${DIR[$build]}/brokerctl" -b 127.0.0.1:${PORT[$build]} topic create "native-$acks-$round" --partitions 1 --if-not-exists >/dev/null
            load=$(cut -d' ' -f1-3 /proc/loadavg)
            timeout 120 "$WORK/peer-bench" --system kafka --address 127.0.0.1:${PORT[$build]} --name "native-$acks-$round" --records $RECORDS \
                --size 100 --rate "$RATE" --acks $acks --linger-ms 0 --max-seconds 60 \
                | python3 -c 'import json,sys; r=json.load(sys.stdin); r.update(build=sys.argv[1], client="librdkafka", acks=sys.argv[2], load=sys.argv[3]); print(json.dumps(r))' "$build" "$acks" "$load" >> "$RESULTS"
            show librdkafka
        done
    done
done
python3 - "$RESULTS" "$RATE" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"\nmedians over rounds, {int(sys.argv[2]):,} records/s offered:")
print("| client | acks | build | records/s | p50 µs | p99 µs | p99.9 µs | 1-min load (min-max) |")
print("|---|---|---|---|---|---|---|---|")
for client in ("swift", "librdkafka"):
    for acks in ("1", "all"):
        for build in ("before", "after"):
            group = [r for r in rows if r["client"] == client and r["acks"] == acks and r["build"] == build]
            if not group:
                continue
            lat = [({k: v * 1000 for k, v in r["latencyMs"].items()} if "latencyMs" in r else r["latencyUs"]) for r in group]
            med = lambda key: statistics.median(l[key] for l in lat)
            loads = [float(r["load"].split()[0]) for r in group]
            print(f"| {'brokerctl bench' if client == 'swift' else 'librdkafka'} | {acks} | {build} | "
                  f"{statistics.median(r['recordsPerSecond'] for r in group):,.0f} | {med('p50'):,.0f} | {med('p99'):,.0f} | "
                  f"{med('p999'):,.0f} | {min(loads):.1f}-{max(loads):.1f} |")
PY
