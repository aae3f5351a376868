#!/usr/bin/env bash
# Broker throughput with a native client (kcat / librdkafka): 100-byte records, 1 and 4 partitions,
# acks=1 and acks=all, then consumer catch-up. Prints records/s, MB/s and the broker's CPU time per
# record (from /proc/PID/stat). Uses the release build; never a CI gate.
#
#   Benchmarks/broker-bench.sh [RECORDS]        (default 2,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-2000000}
PORT=${BENCH_PORT:-19192}
DATA=$(mktemp -d /tmp/broker-bench-XXXXXX)
BIN=.build/release/broker
[ -x "$BIN" ] || swift build -c release --product broker >/dev/null
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT

# 100-byte records: 99 characters and the newline kcat splits on.
python3 -c "
import sys
line = ('x' * 91) + '%08d'
with open('$DATA/records.txt', 'w') as f:
    for i in range($RECORDS): f.write(line % i + '\n')
"
"$BIN" --listen 127.0.0.1:$PORT --data-dir "$DATA/broker" --metrics-listen 127.0.0.1:0 --log-level warning &
BROKER_PID=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

TICKS=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$BROKER_PID/stat; }
now() { date +%s.%N; }
report() {  # name start_time end_time cpu_before cpu_after
    python3 -c "
records = $RECORDS; seconds = $3 - $2; cpu = ($5 - $4) / $TICKS
print(f'| $1 | {records / seconds:,.0f} | {records * 100 / seconds / 1e6:,.1f} | {cpu * 1e6 / records:.2f} |')"
}

echo "| workload ($RECORDS records of 100 bytes) | records/s | MB/s | broker CPU µs/record |"
echo "|---|---|---|---|"
for PARTITIONS in 1 4; do
    for ACKS in 1 all; do
        TOPIC="bench-p$PARTITIONS-acks$ACKS"
        kcat -b 127.0.0.1:$PORT -L -t "$TOPIC" >/dev/null 2>&1 || true
        python3 - "$PORT" "$TOPIC" "$PARTITIONS" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, NewTopic
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{sys.argv[1]}")
if sys.argv[2] not in admin.list_topics():
    admin.create_topics([NewTopic(sys.argv[2], int(sys.argv[3]), 1)])
admin.close()
PY
        C0=$(cpu); T0=$(now)
        kcat -b 127.0.0.1:$PORT -P -t "$TOPIC" -X acks=$ACKS -X linger.ms=10 -X batch.num.messages=10000 \
            -X queue.buffering.max.messages=1000000 -l "$DATA/records.txt"
        T1=$(now); C1=$(cpu)
        report "produce, $PARTITIONS partition(s), acks=$ACKS" "$T0" "$T1" "$C0" "$C1"
    done
    TOPIC="bench-p$PARTITIONS-acks1"
    C0=$(cpu); T0=$(now)
    kcat -b 127.0.0.1:$PORT -C -t "$TOPIC" -o beginning -e -q -X fetch.max.bytes=52428800 > /dev/null
    T1=$(now); C1=$(cpu)
    report "consume catch-up, $PARTITIONS partition(s)" "$T0" "$T1" "$C0" "$C1"
done
