#!/usr/bin/env bash
# Builds and starts what exists: today the broker (release build) on 127.0.0.1:9092, with its data
# under $DATA_DIR/broker and metrics on 127.0.0.1:9644. `shop up` (the whole stack) replaces this once
# the services exist. Extra arguments go to the broker (see `broker --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product broker
DATA_DIR="${DATA_DIR:-./.data}"
exec .build/release/broker --data-dir "${BROKER_DATA_DIR:-$DATA_DIR/broker}" "$@"
