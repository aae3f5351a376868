"""Each service's /openapi.json is complete and true: schemathesis (property-based, from the document
alone) drives every operation of the real process, with an admin token and without one, through all its
checks and phases (examples, coverage, fuzzing, stateful along the document's links). It finds no 5xx,
no status the document does not list, no answer whose body, headers or content type differ from what it
documents, no request the schema allows that is refused and none it forbids that is accepted.
Bounded: a fixed number of examples per operation and a time bound per run."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Stack

ST = os.path.join(os.path.dirname(sys.executable), "st")
# Every check schemathesis has: answers conform to the document (status, content type, headers, body),
# no 5xx, data the schema allows is accepted and data it forbids refused (so the documented constraints
# are the ones enforced), required headers and auth are enforced, unsupported methods answer 405 with a
# true `Allow`, and created resources can be read, listed and deleted as the links say.
# `schemathesis.toml` beside this file names the few statuses a check may also accept, with the reason.
CHECKS = os.environ.get("APITESTS_CHECKS") or "all"
CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml")
# Every process with an HTTP API: the nine services, and the gateway (its own document: health, metrics,
# documents; what it proxies is fuzzed at the services). The gateway starts last, routed to this stack.
SERVICES = ["iam", "customer", "catalog", "order", "inventory", "payment", "shipping", "discovery", "config", "gateway"]
MAX_EXAMPLES = os.environ.get("APITESTS_MAX_EXAMPLES", "25")
# A bound on one run, not a budget to fill (schemathesis would repeat fuzzing until it is spent).
RUN_TIMEOUT_SECONDS = int(os.environ.get("APITESTS_RUN_TIMEOUT_SECONDS", "900"))
# Runs at once: each is one single-threaded Python process, mostly generating data, so a few side by
# side keep both cores busy. The services answer them all; they are separate processes.
PARALLEL_RUNS = int(os.environ.get("APITESTS_PARALLEL_RUNS", "3"))
MODES = {"admin": True, "anonymous": False}


@pytest.fixture(scope="module")
def stack():
    stack = Stack(SERVICES)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def runs(request, stack):
    """Every selected (service, mode) run, started together on a bounded pool; each test waits for its own."""
    admin = stack.admin_token()
    selected = {(item.callspec.params["service"], item.callspec.params["mode"])
                for item in request.session.items if "service" in getattr(getattr(item, "callspec", None), "params", {})}
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        # The slowest first (IAM hashes every password it is sent), so the pool ends together.
        futures = {(service, mode): pool.submit(schemathesis, stack, service, admin if as_admin else None)
                   for service in SERVICES for mode, as_admin in MODES.items() if (service, mode) in selected}
        yield futures
        for future in futures.values():
            future.cancel()


# One worker: hypothesis's lambda descriptions are not thread-safe under Python 3.11 (a "recursion depth
# mismatch" runtime error in schemathesis with two workers, seen here).
def schemathesis(stack, service, token):
    argv = [ST, "--config-file", CONFIG, "run", stack.url(service) + "/openapi.json", "--checks", CHECKS,
            "--max-examples", MAX_EXAMPLES, "--workers", "1",
            "--phases", "examples,coverage,fuzzing,stateful", "--request-timeout", "30", "--suppress-health-check", "all",
            "--no-color", "--seed", "1"]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("mode", list(MODES))
def test_schemathesis_finds_nothing(stack, runs, service, mode):
    result = runs[(service, mode)].result()
    print(result.stdout[-3000:])
    assert result.returncode == 0, f"{result.stdout[-12000:]}\n{result.stderr[-4000:]}\n{stack.logs()}"
