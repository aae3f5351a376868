#!/usr/bin/env bash
# The whole test suite: set-up, build (tests and helper executables), then every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Build once, then run without re-planning (SWIFT-NOTES P2).
swift build --build-tests
swift test --skip-build
