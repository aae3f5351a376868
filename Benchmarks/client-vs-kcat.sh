#!/usr/bin/env bash
# The Swift client (brokerctl bench) next to kcat, against one broker, in the same run: produce
# RECORDS records of 100 bytes to a 3-partition topic (idempotent, acks=all), then read RECORDS
# records back from the topic kcat wrote. ROUNDS rounds interleave the four commands, each round
# on fresh topics; the medians are printed last. Uses the release builds; never a CI gate.
#
#   Benchmarks/client-vs-kcat.sh [RECORDS] [ROUNDS]       (default 500,000 and 5)
#
# "records/s" is what each tool measures: kcat's is the wall time of the whole kcat process
# (start, connect, read the file, produce, wait for every ack); brokerctl's is its own figure (from
# the first send to the last ack, connection and topic check excluded). "whole process" times
# brokerctl like kcat; "CPU" is user + system time of the client process.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-500000}
ROUNDS=${2:-5}
PORT=${BENCH_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DATA=$(mktemp -d /tmp/client-vs-kcat-XXXXXX)
for product in broker brokerctl; do
    [ -x ".build/release/$product" ] || swift build -c release --product "$product" >/dev/null
done
.build/release/broker --listen 127.0.0.1:$PORT --data-dir "$DATA/broker" --metrics-listen 127.0.0.1:0 --log-level warning &
BROKER_PID=$!
trap 'kill $BROKER_PID 2>/dev/null || true; wait $BROKER_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
export BROKERCTL_BOOTSTRAP=127.0.0.1:$PORT
CTL=${BROKERCTL:-.build/release/brokerctl}

# 100-byte values: 100 characters per line, plus the newline kcat splits on.
python3 -c "
line = 'x' * 92 + '%08d'
with open('$DATA/records.txt', 'w') as f:
    for i in range($RECORDS): f.write(line % i + '\n')
"

# The commands of a round, in order: NAME|COMMAND (TOPIC and ROUND are substituted).
COMMANDS=(
    "kcat produce|kcat -P -b 127.0.0.1:$PORT -t kcTOPIC -X acks=all -l $DATA/records.txt"
    "brokerctl bench produce|$CTL bench produce --topic bcTOPIC --records $RECORDS --record-size 100 --partitions 3"
    "brokerctl bench produce --in-flight 10000|$CTL bench produce --topic ifTOPIC --records $RECORDS --record-size 100 --partitions 3 --in-flight 10000"
    "kcat consume|kcat -C -b 127.0.0.1:$PORT -t kcTOPIC -o beginning -e -q"
    "brokerctl bench consume|$CTL bench consume --topic kcTOPIC --records $RECORDS"
)
: > "$DATA/results"
for round in $(seq "$ROUNDS"); do
    for topic in kc bc if; do $CTL topic create "$topic$round" --partitions 3 >/dev/null; done
    for entry in "${COMMANDS[@]}"; do
        name=${entry%%|*}
        command=${entry#*|}
        command=${command//TOPIC/$round}
        case $name in brokerctl*) command="$command --json" ;; esac
        # Bounded: 300 s per command. Wall time (µs), user and system seconds of the client process.
        out=/dev/null
        case $name in brokerctl*) out=$DATA/out ;; esac
        start=$(date +%s%N)
        /usr/bin/time -o "$DATA/time" -f "%U %S" timeout 300 $command > "$out" 2>/dev/null
        end=$(date +%s%N)
        own=$(case $name in brokerctl*) python3 -c "import json; print(json.load(open('$DATA/out'))['recordsPerSecond'])" ;; *) echo 0 ;; esac)
        latency=$(case $name in "brokerctl bench produce"*) python3 -c "
import json; l = json.load(open('$DATA/out'))['latencyMs']; print(f\"p50 {l['p50']:.1f} ms, p99 {l['p99']:.1f} ms\")" ;; *) echo - ;; esac)
        records=$(case $name in brokerctl*) python3 -c "import json; print(json.load(open('$DATA/out'))['records'])" ;; *) echo "$RECORDS" ;; esac)
        echo "$name|$round|$(( (end - start) / 1000 )) $(cat "$DATA/time")|$own|$records|$latency" >> "$DATA/results"
    done
done

python3 - "$DATA/results" "$RECORDS" <<'PY'
import statistics, sys
records = int(sys.argv[2])
rows = {}
for line in open(sys.argv[1]):
    name, round, times, own, done, latency = line.rstrip("\n").split("|")
    micros, user, system = map(float, times.split())
    wall = micros / 1e6
    assert int(done) == records, f"{name} round {round} stopped after {done} records"
    # kcat's figure is its whole process; brokerctl reports its own (first send to last ack).
    rate = float(own) if name.startswith("brokerctl") else records / wall
    rows.setdefault(name, []).append(dict(rate=rate, process=records / wall, cpu=user + system, latency=latency))
kcat = [r["rate"] for r in rows["kcat produce"]]
print(f"{records:,} records of 100 bytes, 3 partitions, idempotent acks=all, {len(kcat)} rounds; medians, then every round")
print("| command | records/s | vs kcat produce | whole process, records/s | client CPU s | rounds (records/s) |")
print("|---|---|---|---|---|---|")
for name, runs in rows.items():
    ratio = statistics.median(r["rate"] / k for r, k in zip(runs, kcat)) if "produce" in name else None
    middle = sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]  # the median round, for its latency
    latency = f" ({middle['latency']})" if middle["latency"] != "-" else ""
    rounds = ", ".join(f"{r['rate']:,.0f}" for r in runs)
    print(f"| `{name}` | {statistics.median(r['rate'] for r in runs):,.0f}{latency} | "
          f"{'' if ratio is None else f'{ratio:.0%}'} | {statistics.median(r['process'] for r in runs):,.0f} | "
          f"{statistics.median(r['cpu'] for r in runs):.2f} | {rounds} |")
PY
