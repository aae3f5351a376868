#!/usr/bin/env bash
# Builds (release) and runs `shop up`: the broker and the services as separate processes, supervised,
# with all data under $DATA_DIR (default ./.data). Ctrl-C or SIGTERM stops everything. Arguments go to
# `shop up` (see `shop up --help`), e.g. `make up ARGS="--only broker,iam,gateway"`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product broker
swift build -c release --product shop
exec .build/release/shop up "$@"
