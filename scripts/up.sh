#!/usr/bin/env bash
# Builds (release) and starts what exists today: the broker on 127.0.0.1:9092 (metrics on :9644) and the
# IAM service on 127.0.0.1:8081, with all data under $DATA_DIR (default ./.data). Ctrl-C or SIGTERM stops
# both. `shop up` (issue 6) replaces this script with restarts, a status table and every service.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product broker
swift build -c release --product shop
export DATA_DIR="${DATA_DIR:-./.data}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}"
mkdir -p "$DATA_DIR"

pids=()
stop() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

# Process substitution (not a pipe) so that $! is the server itself, which the trap stops.
.build/release/broker --data-dir "${BROKER_DATA_DIR:-$DATA_DIR/broker}" "$@" > >(sed -u 's/^/[broker] /') 2>&1 &
pids+=($!)
# The services need the broker for readiness, not for start-up; start IAM once the port answers.
for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null && break
    sleep 0.1
done
LOG_FORMAT="${LOG_FORMAT:-text}" .build/release/shop serve iam > >(sed -u 's/^/[iam]    /') 2>&1 &
pids+=($!)
echo "broker 127.0.0.1:9092 · iam http://127.0.0.1:8081 (Swagger UI: /swagger-ui.html) · data in $DATA_DIR · Ctrl-C stops both" >&2
wait -n "${pids[@]}" || true
