#!/usr/bin/env bash
# Builds and starts what exists. Today that is the storage engine: `logstore-tool demo` appends to a
# partition log under the data directory, reads it back and verifies it. The broker (issue 3) and
# `shop up` (issue 6) replace this with the running system.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product logstore-tool
DATA_DIR="${DATA_DIR:-./.data}"
exec .build/release/logstore-tool demo "$DATA_DIR/demo-0"
