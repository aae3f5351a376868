#!/usr/bin/env bash
# The whole test suite: set-up, build (tests and executables), every Swift test target, then the Kafka
# compatibility suite (real kcat, kafka-python and confluent-kafka against the real broker process), then
# the HTTP contract suite (schemathesis against every service's process), then compose/ (configurations, the
# real Prometheus against `shop up`, and the compose stack in Podman).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Build once, then run without re-planning (SWIFT-NOTES P2).
swift build --build-tests
swift test --skip-build --skip ShopEndToEndTests
# The end-to-end stacks (`shop up` × 4, some 45 processes) on their own, so that their load does not stretch
# the timing of every other test, and theirs is not stretched by them.
swift test --skip-build --filter ShopEndToEndTests
BROKER_BIN="$PWD/.build/debug/broker" .venv/bin/python -m pytest compat -q -p no:cacheprovider -W ignore::DeprecationWarning
# The HTTP contract: every service's /openapi.json fuzzed against its real process (schemathesis).
SHOP_BIN_DIR="$PWD/.build/debug" .venv/bin/python -m pytest apitests -q -p no:cacheprovider -W ignore::DeprecationWarning
# compose/: the configurations checked (promtool with a unit test per alert, kustomize + kubernetes-validate, the
# dashboards, the compose files, the log pipeline's parsers on real log lines) and the real Prometheus scraping
# `shop up` (about 40 s); then compose/test: the image built with Podman and the compose stack run, a checkout
# through its gateway (about 4 minutes, most of it debootstrap).
SHOP_BIN_DIR="$PWD/.build/debug" .venv/bin/python -m pytest compose/tests -q -p no:cacheprovider -W ignore::DeprecationWarning
SHOP_BIN_DIR="$PWD/.build/debug" ./compose/test
