"""A real OTLP/HTTP trace receiver for the tests: `POST /v1/traces` with an `ExportTraceServiceRequest` as
protobuf (`application/x-protobuf`) or in OTLP's JSON encoding (`application/json`, ids as hex), decoded with
opentelemetry-proto's generated classes, like a collector would. Every span is kept, flattened."""
import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _hex_ids_to_base64(node):
    """OTLP/JSON writes trace and span ids as hex; protobuf's JSON mapping reads bytes as base64."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            else:
                _hex_ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids_to_base64(item)


def decode(body, content_type):
    request = ExportTraceServiceRequest()
    if content_type.startswith("application/x-protobuf"):
        request.ParseFromString(body)
    elif content_type.startswith("application/json"):
        document = json.loads(body)
        _hex_ids_to_base64(document)
        # ignore_unknown_fields=False: a field the protos do not have is a bug in the exporter.
        json_format.Parse(json.dumps(document), request)
    else:
        raise ValueError(f"unsupported content type {content_type!r}")
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {}
                for a in span.attributes:
                    kind = a.value.WhichOneof("value")
                    attributes[a.key] = getattr(a.value, kind) if kind else None
                spans.append({
                    "service": resource.get("service.name"),
                    "trace_id": span.trace_id.hex(),
                    "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex() or None,
                    "name": span.name,
                    "kind": KINDS.get(span.kind, str(span.kind)),
                    "start": span.start_time_unix_nano,
                    "end": span.end_time_unix_nano,
                    "status": span.status.code,
                    "attributes": attributes,
                })
    return spans


class Receiver:
    """Listens on 127.0.0.1 (a free port); `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT names."""

    def __init__(self):
        self.spans = []
        self.errors = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                try:
                    spans = decode(body, self.headers.get("Content-Type", ""))
                except Exception as error:  # the exporter sent something a collector would refuse
                    with receiver.lock:
                        receiver.errors.append(f"{type(error).__name__}: {error}")
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.spans.extend(spans)
                answer = json_format.MessageToJson(ExportTraceServiceResponse()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def trace(self, trace_id):
        with self.lock:
            return [span for span in self.spans if span["trace_id"] == trace_id]
