#!/usr/bin/env python3
"""Writes compose/k8s/base/*.yaml: one file per process of the shop (workload, Service, PodDisruptionBudget).
The processes, ports and start order are ServiceKit's ServiceCatalogue; what keeps a SQLite file is said
below. Run it after changing this table; compose/tests/test_config.py checks the committed files are what
it writes. Hand-written: kustomization.yaml, ingress.yaml and the overlays."""
import pathlib

import yaml

HERE = pathlib.Path(__file__).resolve().parent
IMAGE = "shop"
UID = 10001

# name, port, keeps a SQLite file (StatefulSet with a volume) or not (Deployment), replicas, what it is.
SERVICES = [
    ("config", 8888, False, 2, "the config server: serves config-repo/ from the image; its git snapshot is rebuilt at start"),
    ("discovery", 8761, True, 1, "the service registry (instances in SQLite)"),
    ("iam", 8081, True, 1, "identity and access (users, sessions, signing keys in SQLite)"),
    ("customer", 8082, True, 1, "customers and address books"),
    ("catalog", 8083, True, 1, "products, categories, reviews"),
    ("order", 8084, True, 1, "carts, orders and the checkout saga"),
    ("inventory", 8085, True, 1, "stock and reservations"),
    ("payment", 8086, True, 1, "payments against the simulated provider"),
    ("shipping", 8087, True, 1, "shipments"),
    ("gateway", 8080, False, 2, "the API gateway (stateless), behind the Ingress"),
]
# The client-credentials client a service authenticates as (API.md §1.4), from the Secret.
CLIENTS = {"order": "order-service", "payment": "payment-service"}

LABELS = {"app.kubernetes.io/part-of": "shop"}


def labels(name):
    return {"app.kubernetes.io/name": name, **LABELS}


def probe(path, port, period, failures):
    return {"httpGet": {"path": path, "port": "http"}, "periodSeconds": period, "timeoutSeconds": 2, "failureThreshold": failures}


SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
POD_SECURITY = {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID, "seccompProfile": {"type": "RuntimeDefault"}}


def service_container(name, port, stateful):
    env = [
        {"name": "PORT", "value": str(port)},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        # What the registry hands to the gateway: this pod's own address.
        {"name": "DISCOVERY_ADVERTISED_HOST", "value": "$(POD_IP)"},
    ]
    if name in ("config", "discovery"):
        # The registry does not register with itself, and the config server is reached at its Service.
        env.append({"name": "DISCOVERY_URL", "value": ""})
    if name == "iam":
        env += [
            {"name": "IAM_ADMIN_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "shop-secrets", "key": "iam-admin-password"}}},
            *({"name": f"CLIENT_SECRET_{i}", "valueFrom": {"secretKeyRef": {"name": "shop-secrets", "key": f"{client}-secret"}}}
              for i, client in enumerate(["order-service", "payment-service", "carrier-sim", "ops-tools"])),
            # API.md §1.4's clients, built from the Secret's keys (Kubernetes expands $(VAR) of the variables above).
            {"name": "IAM_SERVICE_CLIENTS", "value": ",".join([
                "order-service:$(CLIENT_SECRET_0):customer.read catalog.read inventory.read",
                "payment-service:$(CLIENT_SECRET_1):order.read",
                "carrier-sim:$(CLIENT_SECRET_2):shipping.carrier",
                "ops-tools:$(CLIENT_SECRET_3):inventory.reserve shipping.write"])},
        ]
    if name in CLIENTS:
        env += [
            {"name": "SERVICE_CLIENT_ID", "value": CLIENTS[name]},
            {"name": "SERVICE_CLIENT_SECRET", "valueFrom": {"secretKeyRef": {"name": "shop-secrets", "key": f"{CLIENTS[name]}-secret"}}},
        ]
    return {
        "name": name,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "args": ["serve", name],
        "ports": [{"name": "http", "containerPort": port}],
        "envFrom": [{"configMapRef": {"name": "shop-config"}}],
        "env": env,
        "startupProbe": probe("/health/live", port, 2, 30),
        "livenessProbe": probe("/health/live", port, 10, 3),
        "readinessProbe": probe("/health/ready", port, 5, 3),
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": SECURITY,
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}],
    }


def pod_template(name, port, container):
    return {
        "metadata": {"labels": labels(name), "annotations": {
            "prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}},
        "spec": {
            "securityContext": POD_SECURITY,
            "terminationGracePeriodSeconds": 30,
            "containers": [container],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        },
    }


def volume_claim(size):
    return {"metadata": {"name": "data", "labels": LABELS},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}


def pdb(name, single):
    # A single replica cannot stay available through a drain; maxUnavailable 1 lets the drain go on (the
    # process restarts elsewhere), where minAvailable 1 would block it forever.
    budget = {"maxUnavailable": 1} if single else {"minAvailable": 1}
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "labels": labels(name)},
            "spec": {**budget, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}}


def service(name, port, headless=False, extra_ports=()):
    spec = {"selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http" if name != "broker" else "kafka", "port": port, "targetPort": port}, *extra_ports]}
    if headless:
        spec["clusterIP"] = "None"
        # Clients reach the broker by its pod's name before it is ready (it answers Metadata as soon as it listens).
        spec["publishNotReadyAddresses"] = True
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels(name)}, "spec": spec}


def workload(name, port, stateful, replicas, about):
    container = service_container(name, port, stateful)
    template = pod_template(name, port, container)
    meta = {"name": name, "labels": labels(name), "annotations": {"shop.example/about": about}}
    if stateful:
        kind = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": {
            # One replica: the SQLite file is this pod's alone. Scaling out needs a shared database.
            "serviceName": name, "replicas": 1, "podManagementPolicy": "OrderedReady",
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": template, "volumeClaimTemplates": [volume_claim("1Gi")]}}
    else:
        template["spec"]["volumes"].append({"name": "data", "emptyDir": {}})
        kind = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {
            "replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": template}}
    return [kind, service(name, port), pdb(name, replicas == 1)]


def broker():
    container = {
        "name": "broker",
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/usr/local/bin/broker"],
        "ports": [{"name": "kafka", "containerPort": 9092}, {"name": "metrics", "containerPort": 9644}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "BROKER_LISTEN", "value": "0.0.0.0:9092"},
            # broker-0.broker: the pod's stable name under the headless Service, what clients dial after Metadata.
            {"name": "BROKER_ADVERTISED_LISTENER", "value": "$(POD_NAME).broker:9092"},
            {"name": "BROKER_METRICS_LISTEN", "value": "0.0.0.0:9644"},
            {"name": "BROKER_DATA_DIR", "value": "/data/broker"},
        ],
        "startupProbe": {"tcpSocket": {"port": "kafka"}, "periodSeconds": 2, "failureThreshold": 60},
        "livenessProbe": {"httpGet": {"path": "/metrics", "port": "metrics"}, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
        "readinessProbe": {"tcpSocket": {"port": "kafka"}, "periodSeconds": 5, "failureThreshold": 3},
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
        "securityContext": SECURITY,
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    template = pod_template("broker", 9644, container)
    template["spec"]["terminationGracePeriodSeconds"] = 60
    stateful_set = {"apiVersion": "apps/v1", "kind": "StatefulSet",
                    "metadata": {"name": "broker", "labels": labels("broker"),
                                 "annotations": {"shop.example/about": "the log broker (Kafka wire protocol), one node"}},
                    "spec": {"serviceName": "broker", "replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "broker"}},
                             "template": template, "volumeClaimTemplates": [volume_claim("20Gi")]}}
    return [stateful_set, service("broker", 9092, headless=True,
                                  extra_ports=[{"name": "metrics", "port": 9644, "targetPort": 9644}]), pdb("broker", True)]


def write(name, documents):
    header = f"# Written by compose/k8s/generate.py: edit the script, not this file.\n"
    text = header + yaml.safe_dump_all(documents, sort_keys=False, width=200)
    (HERE / "base" / f"{name}.yaml").write_text(text)


if __name__ == "__main__":
    write("broker", broker())
    for name, port, stateful, replicas, about in SERVICES:
        write(name, workload(name, port, stateful, replicas, about))
