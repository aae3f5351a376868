#!/usr/bin/env bash
# The whole test suite: set-up, build (tests and executables), every Swift test target, then the Kafka
# compatibility suite (real kcat, kafka-python and confluent-kafka against the real broker process), then
# the HTTP contract suite (schemathesis against every service's process).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Build once, then run without re-planning (SWIFT-NOTES P2).
swift build --build-tests
swift test --skip-build
BROKER_BIN="$PWD/.build/debug/broker" .venv/bin/python -m pytest compat -q -p no:cacheprovider -W ignore::DeprecationWarning
# The HTTP contract: every service's /openapi.json fuzzed against its real process (schemathesis).
SHOP_BIN_DIR="$PWD/.build/debug" .venv/bin/python -m pytest apitests -q -p no:cacheprovider -W ignore::DeprecationWarning
