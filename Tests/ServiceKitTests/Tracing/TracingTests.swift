import Foundation
@testable import ServiceKit
import Testing

/// W3C trace context and the OTLP body, without a collector (compose/tests/test_traces.py sends real spans
/// from every service to a real OTLP receiver).
@Suite struct TracingTests {
    @Test func traceParentParsesWhatW3CAcceptsAndNothingElse() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let parsed = TraceParent(header: valid)
        #expect(parsed?.traceId == "4bf92f3577b34da6a3ce929d0e0e4736" && parsed?.spanId == "00f067aa0ba902b7")
        #expect(parsed?.header == valid)
        for invalid in ["", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01"] {
            #expect(TraceParent(header: invalid) == nil, "\(invalid)")
        }
        // Invalid or missing: a new trace; valid: unchanged.
        #expect(TraceParent.propagate(valid) == valid)
        #expect(TraceParent(header: TraceParent.propagate("garbage")) != nil)
        #expect(TraceParent(header: TraceParent.propagate(nil)) != nil)
        let child = TraceParent.newTrace().child()
        #expect(TraceParent(header: child.header) == child)
    }

    @Test func withTracingOffTheContextPassesOnUnchanged() async throws {
        #expect(!Tracing.isEnabled)
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let seen = await Tracing.withSpan("GET /x", kind: .server, parent: incoming) { span in
            (span?.context.header, span?.isRecording, Tracing.active?.header,
             // A nested span without a parent of its own continues the active one.
             Tracing.startSpan("call", kind: .client)?.context.header)
        }
        #expect(seen.0 == incoming && seen.1 == false && seen.2 == incoming && seen.3 == incoming)
        // No context at all: no span, nothing active.
        let none = await Tracing.withSpan("job", kind: .internal) { span in span == nil && Tracing.active == nil }
        #expect(none)
    }

    @Test func otlpJSONHasHexIdsDecimalNanosAndNoParentOnARoot() throws {
        let root = TraceParent.newTrace()
        let child = root.child()
        let spans = [
            FinishedSpan(name: "POST /orders", kind: .server, context: root, parentSpanId: nil, startNanos: 1_700_000_000_000_000_000,
                         endNanos: 1_700_000_000_500_000_000, attributes: [("http.response.status_code", .int(201))], errorMessage: nil),
            FinishedSpan(name: "publish OrderPlaced", kind: .producer, context: child, parentSpanId: root.spanId, startNanos: 1,
                         endNanos: 2, attributes: [("messaging.destination.name", .string("order.order.v1")), ("retry", .bool(false))],
                         errorMessage: "broker unreachable"),
        ]
        let data = try JSONEncoder().encode(OTLPJSON.request(spans, serviceName: "order"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let resourceSpans = try #require((json["resourceSpans"] as? [[String: Any]])?.first)
        let resource = try #require(resourceSpans["resource"] as? [String: Any])
        let attributes = try #require(resource["attributes"] as? [[String: Any]])
        #expect(attributes.first?["key"] as? String == "service.name")
        #expect((attributes.first?["value"] as? [String: Any])?["stringValue"] as? String == "order")
        let encoded = try #require(((resourceSpans["scopeSpans"] as? [[String: Any]])?.first?["spans"]) as? [[String: Any]])
        #expect(encoded.count == 2)
        #expect(encoded[0]["traceId"] as? String == root.traceId && encoded[0]["spanId"] as? String == root.spanId)
        #expect(encoded[0]["parentSpanId"] == nil)
        #expect(encoded[0]["kind"] as? Int == 2 && encoded[0]["startTimeUnixNano"] as? String == "1700000000000000000")
        #expect(((encoded[0]["attributes"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["intValue"] as? String == "201")
        #expect((encoded[0]["status"] as? [String: Any])?["code"] as? Int == 0)
        #expect(encoded[1]["parentSpanId"] as? String == root.spanId && encoded[1]["kind"] as? Int == 4)
        #expect((encoded[1]["status"] as? [String: Any])?["code"] as? Int == 2)
        #expect((encoded[1]["status"] as? [String: Any])?["message"] as? String == "broker unreachable")
    }
}

extension TracingTests {
    @Test func tracingSettingsAreCheckedAtStart() throws {
        let base = try ServiceConfig(serviceName: "order", defaultPort: 0, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"])
        #expect(base.otlpTracesURL == "http://collector:4318/v1/traces" && base.otelServiceName == "order")
        let full = try ServiceConfig(serviceName: "order", defaultPort: 0, environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://other:9999/traces",
            "OTEL_SERVICE_NAME": "order-eu",
        ])
        #expect(full.otlpTracesURL == "http://other:9999/traces" && full.otelServiceName == "order-eu")
        #expect(try ServiceConfig(serviceName: "order", defaultPort: 0, environment: [:]).otlpTracesURL == nil)
        #expect(try ServiceConfig(serviceName: "order", defaultPort: 0, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]).otlpTracesURL == nil)
        #expect(throws: ConfigError.self) {
            try ServiceConfig(serviceName: "order", defaultPort: 0, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
                                                                                  "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        }
        #expect(throws: ConfigError.self) {
            try ServiceConfig(serviceName: "order", defaultPort: 0, environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"])
        }
    }
}
