#!/usr/bin/env bash
# The side-by-side suite: our broker, Redis Streams and NATS JetStream on this machine, each driven by
# a native client through one driver (Benchmarks/peers/peer-bench.c: librdkafka, hiredis, the NATS C
# client), with the same record sizes and counts. Writes Benchmarks/results/compare.jsonl, then
# Benchmarks/results/README.md (tables) and PNG plots (Benchmarks/peers/report.py, matplotlib).
# Every step is bounded (record counts, --max-seconds, timeout). Never a CI gate.
#
#   Benchmarks/compare.sh            # full run, about 10 minutes on 2 cores
#   QUICK=1 Benchmarks/compare.sh    # a tenth of the records, for trying the script
#   SECTIONS="latency scale" ...     # only some of: throughput consume latency scale
#
# Durability named in the output:
#   broker  acks=1 (answered after the write; background fsync every flush.ms) and acks=all (answered
#           after a group-committed fsync covering the batch)
#   redis   appendonly yes + appendfsync everysec (its default AOF policy) and appendfsync always
#   nats    JetStream file storage, nats-server 2.9.10 from Debian: it has no per-message sync option
#           (sync_interval came in 2.10), so there is one setting: the default
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS=${RESULTS:-$ROOT/Benchmarks/results}
# Other builds to measure (a before/after comparison): BROKER_BIN=... BROKERCTL_BIN=...
BROKER_BIN=${BROKER_BIN:-.build/release/broker}
BROKERCTL_BIN=${BROKERCTL_BIN:-.build/release/brokerctl}
SCALE=${QUICK:+10}
SCALE=${SCALE:-1}
WORK=$(mktemp -d /tmp/compare-bench-XXXXXX)
BROKER_PORT=${BROKER_PORT:-19292} REDIS_PORT=${REDIS_PORT:-19379} NATS_PORT=${NATS_PORT:-19422}
OUT=$WORK/compare.jsonl
SECTIONS=" ${SECTIONS:-throughput consume latency scale} "
section() { [[ "$SECTIONS" == *" $1 "* ]]; }
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- What it needs, installed when missing (Debian packages only).
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v nats-server >/dev/null || need+=(nats-server)
command -v kcat >/dev/null || need+=(kcat)
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/include/nats/nats.h ] || need+=(libnats-dev)
[ -f /usr/include/hiredis/hiredis.h ] || need+=(libhiredis-dev)
[ -f /usr/include/librdkafka/rdkafka.h ] || need+=(librdkafka-dev)
# Debian's matplotlib for Debian's python (a python3 earlier on PATH, such as pyenv's, may lack it).
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x "$BROKER_BIN" ] || swift build -c release --product broker >&2
[ -x "$BROKERCTL_BIN" ] || swift build -c release --product brokerctl >&2
DRIVER=$WORK/peer-bench
cc -O2 -o "$DRIVER" Benchmarks/peers/peer-bench.c -lrdkafka -lhiredis -lnats -lpthread -lm
CTL=("$BROKERCTL_BIN" -b 127.0.0.1:$BROKER_PORT)

# --- The servers, each on its own port and data directory.
wait_port() { for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
mkdir -p "$WORK/broker" "$WORK/redis" "$WORK/nats"
"$BROKER_BIN" --listen 127.0.0.1:$BROKER_PORT --data-dir "$WORK/broker" --metrics-listen 127.0.0.1:0 \
    --log-level warning --max-connections 20000 > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!; PIDS+=($BROKER_PID)
redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes --appendfsync everysec \
    --save '' --daemonize no --logfile "$WORK/redis.log" &
REDIS_PID=$!; PIDS+=($REDIS_PID)
nats-server -a 127.0.0.1 -p $NATS_PORT -js -sd "$WORK/nats" > "$WORK/nats.log" 2>&1 &
NATS_PID=$!; PIDS+=($NATS_PID)
wait_port $BROKER_PORT; wait_port $REDIS_PORT; wait_port $NATS_PORT

TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
rss_kib() { awk '/VmRSS/ {print $2}' /proc/$1/status; }
server_pid() { case $1 in broker) echo $BROKER_PID;; redis) echo $REDIS_PID;; nats) echo $NATS_PID;; esac; }
address() { case $1 in broker) echo 127.0.0.1:$BROKER_PORT;; redis) echo 127.0.0.1:$REDIS_PORT;; nats) echo 127.0.0.1:$NATS_PORT;; esac; }
driver_system() { case $1 in broker) echo kafka;; *) echo "$1";; esac; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# One measured run: the driver's JSON line plus the server's CPU and RSS and the load average.
#   run SUITE SYSTEM DURABILITY [driver options...]
run() {
    local suite=$1 system=$2 durability=$3; shift 3
    local pid; pid=$(server_pid "$system")
    local before; before=$(cpu_ticks "$pid")
    local line
    line=$(timeout 300 "$DRIVER" --system "$(driver_system "$system")" --address "$(address "$system")" "$@") || { echo "run failed: $suite $system $*" >&2; return 0; }
    local after; after=$(cpu_ticks "$pid")
    python3 - "$line" "$suite" "$system" "$durability" "$((after - before))" "$TICKS" "$(rss_kib "$pid")" "$(load)" >> "$OUT" <<'PY'
import json, sys
row = json.loads(sys.argv[1])
row.update(suite=sys.argv[2], server=sys.argv[3], durability=sys.argv[4], client="native")
ticks, hz = int(sys.argv[5]), int(sys.argv[6])
row["serverCpuSeconds"] = ticks / hz
row["serverCpuUsPerRecord"] = ticks / hz * 1e6 / max(1, row["records"])
row["serverRssMiB"] = int(sys.argv[7]) / 1024
row["loadAverage"] = sys.argv[8]
print(json.dumps(row))
PY
    tail -1 "$OUT" | python3 Benchmarks/peers/summary_line.py >&2
}
redis_durability() { redis-cli -p $REDIS_PORT CONFIG SET appendfsync "$1" >/dev/null; }
redis_reset() { redis-cli -p $REDIS_PORT DEL "$1" >/dev/null; }
topic() {  # name partitions
    "${CTL[@]}" topic create "$1" --partitions "$2" --if-not-exists >/dev/null
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(load)" >&2

# --- The time one fsync takes here (same file system as the data directories), for the acks=all goal:
# measured at the start and again right before the latency curves (the disk is shared with other work).
fsync_probe() {  # when
python3 - "$WORK" "$(load)" "$1" >> "$OUT" <<'PY'
import json, os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
samples = []
for _ in range(500):
    os.write(fd, b"x" * 100)
    started = time.perf_counter_ns()
    os.fdatasync(fd)
    samples.append((time.perf_counter_ns() - started) / 1000)
os.close(fd)
samples.sort()
pick = lambda q: samples[min(len(samples) - 1, int(len(samples) * q))]
print(json.dumps({"suite": "fsync", "when": sys.argv[3], "samples": len(samples), "p50": pick(0.5), "p99": pick(0.99),
                  "loadAverage": sys.argv[2]}))
PY
tail -1 "$OUT" >&2
}
fsync_probe "start of the run"

# --- 1. Produce throughput: 100 B, 1 KiB, 16 KiB; acks=1 and acks=all (and the peers' equivalents); 1 and 16 partitions.
section throughput && for spec in 100:$((1000000 / SCALE)) 1024:$((300000 / SCALE)) 16384:$((30000 / SCALE)); do
    size=${spec%%:*} records=${spec##*:}
    for partitions in 1 16; do
        for acks in 1 all; do
            name=tp-$size-p$partitions-acks$acks
            topic "$name" "$partitions"
            run throughput broker "acks=$acks" --mode produce --name "$name" --records "$records" --size "$size" \
                --acks "$acks" --partitions "$partitions" --linger-ms 5 --window 200000 --max-seconds 120
        done
    done
    for policy in everysec always; do
        redis_durability $policy; redis_reset "tp-$size-$policy"
        run throughput redis "appendfsync $policy" --mode produce --name "tp-$size-$policy" --records "$records" --size "$size" \
            --window 1000 --max-seconds 120
    done
    run throughput nats "file storage, default" --mode produce --name "tp-$size" --records "$records" --size "$size" \
        --window 4000 --max-seconds 120
done

# --- 2. Consume catch-up: read back the 100-byte records written above.
if section consume && section throughput; then
records=$((1000000 / SCALE))
pid=$BROKER_PID; before=$(cpu_ticks $pid); started=$(date +%s.%N)
timeout 120 kcat -b 127.0.0.1:$BROKER_PORT -C -t tp-100-p1-acks1 -o beginning -e -q -X fetch.max.bytes=52428800 > /dev/null
ended=$(date +%s.%N); after=$(cpu_ticks $pid)
python3 -c "
import json
seconds = $ended - $started
print(json.dumps({'suite': 'consume', 'server': 'broker', 'durability': 'acks=1 topic', 'client': 'kcat', 'mode': 'consume',
                  'records': $records, 'size': 100, 'partitions': 1, 'seconds': seconds, 'recordsPerSecond': $records / seconds,
                  'mbPerSecond': $records * 100 / seconds / 1048576, 'serverCpuUsPerRecord': ($after - $before) / $TICKS * 1e6 / $records,
                  'loadAverage': '$(load)'}))" >> "$OUT"
run consume redis "appendfsync always" --mode consume --name tp-100-always --records "$records" --size 100 --max-seconds 120
run consume nats "file storage, default" --mode consume --name tp-100 --records "$records" --size 100 --max-seconds 120
fi

# --- 3. Latency against offered rate, 100-byte records, each point about 2 s; a curve stops once a
# system falls behind its offered rate by more than 10 % (saturation), from 5,000/s on (below that,
# a client's start-up, such as an idempotent producer's InitProducerId, weighs on a 2 s run).
RATES=(1000 2000 5000 10000 20000 50000 100000 200000 500000)
curve() {  # system durability name-prefix driver-options...
    local system=$1 durability=$2 prefix=$3; shift 3
    for rate in "${RATES[@]}"; do
        local records=$(( rate * 2 / SCALE )); if [ $records -lt 2000 ]; then records=2000; fi
        if [ "$system" = broker ]; then topic "$prefix-$rate" 1; fi
        if [ "$system" = redis ]; then redis_reset "$prefix-$rate"; fi
        run latency "$system" "$durability" --mode produce --name "$prefix-$rate" --records $records --size 100 --rate $rate \
            --window 200000 --max-seconds 30 "$@"
        local achieved; achieved=$(tail -1 "$OUT" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["recordsPerSecond"]))')
        if [ $rate -ge 5000 ] && [ "$achieved" -lt $(( rate * 9 / 10 )) ]; then break; fi
    done
}
if section latency; then
fsync_probe "before the latency curves"
curve broker "acks=1" lat-acks1 --acks 1 --linger-ms 0
curve broker "acks=all" lat-acksall --acks all --linger-ms 0
redis_durability everysec; curve redis "appendfsync everysec" lat-everysec
redis_durability always; curve redis "appendfsync always" lat-always
curve nats "file storage, default" lat

# Our own Swift client on the same curve (brokerctl bench produce), acks=1 and acks=all.
for acks in 1 all; do
    for rate in "${RATES[@]}"; do
        records=$(( rate * 2 / SCALE )); if [ $records -lt 2000 ]; then records=2000; fi
        before=$(cpu_ticks $BROKER_PID)
        line=$(timeout 120 "${CTL[@]}" --json bench produce --topic "swift-acks$acks-$rate" --partitions 1 --records $records \
            --record-size 100 --acks $acks --rate $rate --linger-ms 0 --max-seconds 30 2>/dev/null) || break
        after=$(cpu_ticks $BROKER_PID)
        python3 - "$line" "$acks" "$rate" "$((after - before))" "$TICKS" "$(load)" >> "$OUT" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); ms = r["latencyMs"]
print(json.dumps({"suite": "latency", "server": "broker", "client": "swift", "durability": f"acks={sys.argv[2]}", "mode": "produce",
                  "records": r["records"], "size": 100, "partitions": 1, "rate": float(sys.argv[3]), "seconds": r["seconds"],
                  "recordsPerSecond": r["recordsPerSecond"], "mbPerSecond": r["mbPerSecond"],
                  "latencyUs": {k: ms[k] * 1000 for k in ("p50", "p99", "p999", "max")},
                  "serverCpuUsPerRecord": int(sys.argv[4]) / int(sys.argv[5]) * 1e6 / max(1, r["records"]), "loadAverage": sys.argv[6]}))
PY
        tail -1 "$OUT" | python3 Benchmarks/peers/summary_line.py >&2
        achieved=$(tail -1 "$OUT" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["recordsPerSecond"]))')
        if [ $rate -ge 5000 ] && [ "$achieved" -lt $(( rate * 9 / 10 )) ]; then break; fi
    done
done
fi

# --- 4. Scale: 1 to 1,000 partitions (throughput, latency at 10,000 records/s, broker RSS), then
# 1,000 consumers long-polling 1,000 partitions while 10,000 records/s are produced across them.
if section scale; then
for partitions in 1 10 100 1000; do
    topic "scale-p$partitions" "$partitions"
    run scale broker "acks=1" --mode produce --name "scale-p$partitions" --records $((500000 / SCALE)) --size 100 --acks 1 \
        --partitions "$partitions" --linger-ms 5 --window 200000 --max-seconds 60
    topic "scale-lat-p$partitions" "$partitions"
    run scale-latency broker "acks=1" --mode produce --name "scale-lat-p$partitions" --records $((50000 / SCALE)) --size 100 --acks 1 \
        --partitions "$partitions" --linger-ms 0 --rate 10000 --max-seconds 60
done
topic longpoll 1000
python3 Benchmarks/peers/longpoll_consumers.py --address 127.0.0.1:$BROKER_PORT --topic longpoll --partitions 1000 \
    --consumers 1000 --seconds $((12 / (SCALE > 1 ? 2 : 1))) --max-wait-ms 500 > "$WORK/longpoll.json" &
CONSUMERS_PID=$!; PIDS+=($CONSUMERS_PID)
sleep 3  # every consumer connected and parked
run longpoll broker "acks=1, 1000 parked fetches" --mode produce --name longpoll --records $((50000 / SCALE)) --size 100 --acks 1 \
    --partitions 1000 --linger-ms 0 --rate 10000 --max-seconds 60
wait $CONSUMERS_PID || true
python3 - "$(cat "$WORK/longpoll.json")" "$(rss_kib $BROKER_PID)" >> "$OUT" <<'PY'
import json, sys
row = json.loads(sys.argv[1]); row.update(suite="longpoll-consumers", serverRssMiB=int(sys.argv[2]) / 1024)
print(json.dumps(row))
PY
fi

echo "load after: $(load)" >&2
mkdir -p "$RESULTS"
# A run of some SECTIONS replaces only those sections' rows of an earlier full run.
python3 - "$RESULTS/compare.jsonl" "$OUT" "$SECTIONS" <<'PY'
import json, os, sys
kept_path, new_path, sections = sys.argv[1], sys.argv[2], sys.argv[3].split()
suites = {"throughput": ["throughput"], "consume": ["consume"], "latency": ["latency", "fsync"],
          "scale": ["scale", "scale-latency", "longpoll", "longpoll-consumers"]}
replaced = {suite for section in sections for suite in suites.get(section, [])} | {"fsync"}
old = []
if os.path.exists(kept_path) and set(sections) != set(suites):
    old = [line for line in open(kept_path) if line.strip() and json.loads(line)["suite"] not in replaced]
new = [line for line in open(new_path) if line.strip()]
with open(kept_path, "w") as f:
    f.writelines(old + new)
PY
/usr/bin/python3 Benchmarks/peers/report.py "$RESULTS/compare.jsonl" "$RESULTS" "Benchmarks/compare.sh${QUICK:+ (QUICK=1)}"
echo "wrote $RESULTS/README.md and its plots" >&2
