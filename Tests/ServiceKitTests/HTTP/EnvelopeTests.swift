import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
@testable import ServiceKit
import Testing

/// Every answer of a ServiceKit app, success and each kind of error, in the standard envelope.
@Suite struct EnvelopeTests {
    struct Greeting: Codable, Sendable { var name: String; var count: Int }
    struct Leak: Error { let secret = "password=hunter2 at /internal/path" }

    static func makeApp(bodyLimit: Int = 2048) throws -> ServiceApp {
        var config = try ServiceConfig(serviceName: "test", defaultPort: 0, environment: [:])
        config.maxBodyBytes = bodyLimit
        let app = ServiceApp(config: config)
        app.route(.get, "/hello/:name", doc: OperationDoc("Greets", tag: "test")) { _, context in
            EnvelopeResponse(Greeting(name: context.parameters.get("name") ?? "", count: 1))
        }
        app.route(.post, "/greetings", doc: OperationDoc("Decodes", tag: "test", request: Greeting(name: "a", count: 1), successStatus: 201)) { request, context in
            let greeting = try await request.decodeJSON(Greeting.self, context: context)
            var check = Validator()
            check.require(!greeting.name.isEmpty, "name", "must not be empty")
            check.require(greeting.count > 0, "count", "must be positive")
            try check.finish()
            return EnvelopeResponse(greeting, status: .created, message: "Created")
        }
        app.route(.post, "/conflict", doc: OperationDoc("409", tag: "test")) { _, _ -> EnvelopeResponse<EmptyPayload> in
            throw APIError.conflict("Already exists")
        }
        app.route(.post, "/unprocessable", doc: OperationDoc("422", tag: "test")) { _, _ -> EnvelopeResponse<EmptyPayload> in
            throw APIError.unprocessable("Cannot do that now")
        }
        app.route(.get, "/boom", doc: OperationDoc("500", tag: "test")) { _, _ -> EnvelopeResponse<EmptyPayload> in
            throw Leak()
        }
        let limiter = TokenBucketLimiter(burst: 2, perSecond: 0.01)
        app.route(.post, "/limited", doc: OperationDoc("429", tag: "test"), middleware: [RateLimitMiddleware(limiter: limiter)]) { _, _ in
            EnvelopeResponse<EmptyPayload>.message("ok")
        }
        return app
    }

    struct Body: Decodable {
        var status: String
        var code: Int
        var message: String
        var errors: [FieldError]?
    }

    /// The envelope of `response`; records an issue (and returns an empty body) when it is not one.
    static func decode(_ response: TestResponse) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer: response.body))
        } catch {
            Issue.record("not an envelope: \(String(buffer: response.body))")
            return Body(status: "", code: 0, message: "", errors: nil)
        }
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    @Test func successCarriesDataInTheEnvelope() async throws {
        try await Self.makeApp().application().test(.router) { client in
            try await client.execute(uri: "/hello/ada", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["status"] as? String == "SUCCESS")
                #expect(object?["code"] as? Int == 200)
                #expect((object?["data"] as? [String: Any])?["name"] as? String == "ada")
                #expect(response.headers[.requestId]?.isEmpty == false)
            }
        }
    }

    @Test func requestIdIsPropagated() async throws {
        try await Self.makeApp().application().test(.router) { client in
            try await client.execute(uri: "/nope", method: .get, headers: [.requestId: "abc-123"]) { response in
                #expect(response.headers[.requestId] == "abc-123")
            }
        }
    }

    @Test func everyErrorIsAnEnvelope() async throws {
        try await Self.makeApp().application().test(.router) { client in
            // 400: malformed JSON, a missing field, a wrong type, and failed validation with one message per field.
            try await client.execute(uri: "/greetings", method: .post, headers: Self.json, body: ByteBuffer(string: "{nope")) { response in
                let body = Self.decode(response)
                #expect(response.status == .badRequest && body.status == "ERROR" && body.code == 400)
                #expect(body.message.contains("not valid JSON"))
            }
            try await client.execute(uri: "/greetings", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"count":1}"#)) { response in
                let body = Self.decode(response)
                #expect(response.status == .badRequest)
                #expect(body.errors == [FieldError(field: "name", message: "is required")])
            }
            try await client.execute(uri: "/greetings", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"name":"a","count":"x"}"#)) { response in
                #expect(Self.decode(response).errors == [FieldError(field: "count", message: "must be an integer")])
            }
            try await client.execute(uri: "/greetings", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"name":"","count":0}"#)) { response in
                let body = Self.decode(response)
                #expect(body.errors?.map(\.field) == ["name", "count"])
            }
            // 404 and 405 with Allow.
            try await client.execute(uri: "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.decode(response).code == 404)
            }
            try await client.execute(uri: "/greetings", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(Self.decode(response).status == "ERROR")
            }
            // 409, 413, 415, 422.
            try await client.execute(uri: "/conflict", method: .post) { response in
                #expect(response.status == .conflict && Self.decode(response).code == 409)
            }
            let big = ByteBuffer(string: #"{"name":""# + String(repeating: "x", count: 4096) + #"","count":1}"#)
            try await client.execute(uri: "/greetings", method: .post, headers: Self.json, body: big) { response in
                #expect(response.status == .contentTooLarge && Self.decode(response).code == 413)
            }
            try await client.execute(uri: "/greetings", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi")) { response in
                #expect(response.status == .unsupportedMediaType && Self.decode(response).code == 415)
            }
            try await client.execute(uri: "/unprocessable", method: .post) { response in
                #expect(response.status == .unprocessableContent && Self.decode(response).code == 422)
            }
            // 429 with Retry-After once the bucket is empty.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                try await client.execute(uri: "/limited", method: .post) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter] != nil)
                        #expect(Self.decode(response).code == 429)
                    }
                }
            }
            #expect(statuses == [.ok, .ok, .tooManyRequests])
            // 500 without internals.
            try await client.execute(uri: "/boom", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .internalServerError)
                #expect(!text.contains("hunter2") && !text.contains("Leak"))
                #expect(Self.decode(response).message == "Internal server error")
            }
        }
    }

    @Test func corsPreflightAllowsTheHeadersServicesUse() async throws {
        try await Self.makeApp().application().test(.router) { client in
            let headers: HTTPFields = [.origin: "https://shop.example", .accessControlRequestMethod: "POST",
                                       .accessControlRequestHeaders: "authorization, content-type, traceparent"]
            try await client.execute(uri: "/greetings", method: .options, headers: headers) { response in
                #expect(response.status == .ok || response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] != nil)
                let allowed = (response.headers[.accessControlAllowHeaders] ?? "").lowercased()
                #expect(allowed.contains("authorization") && allowed.contains("traceparent") && allowed.contains("x-request-id"))
            }
        }
    }

    @Test func operationalEndpoints() async throws {
        let app = try Self.makeApp()
        app.addReadinessCheck(ReadinessCheck("always-down") { false })
        try await app.application().test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Self.decode(response).errors?.first?.field == "always-down")
            }
            try await client.execute(uri: "/hello/x", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("http_requests_total"))
                #expect(text.contains(#"route="/hello/{name}""#) || text.contains(#"route="/hello/:name""#))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                guard case .object(let root) = document, case .object(let paths)? = root["paths"] else {
                    Issue.record("no paths in the OpenAPI document"); return
                }
                #expect(paths["/hello/{name}"] != nil)
                // A body route: its required fields, and the statuses any body can get.
                let greetings = paths["/greetings"]?["post"]
                #expect(greetings?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["count", "name"])
                let statuses = Set(greetings?["responses"]?.objectValue?.keys.map { $0 } ?? [])
                #expect(statuses.isSuperset(of: ["201", "400", "413", "415", "500"]), "\(statuses)")
                // A rate-limited route documents 429; answers that are not the envelope say what they are.
                #expect(paths["/limited"]?["post"]?["responses"]?["429"] != nil)
                #expect(paths["/metrics"]?["get"]?["responses"]?["200"]?["content"]?["text/plain; version=0.0.4"] != nil)
                #expect(paths["/swagger-ui.html"]?["get"]?["responses"]?["200"]?["content"]?["text/html"] != nil)
            }
            try await client.execute(uri: "/swagger-ui.html", method: .get) { response in
                #expect(String(buffer: response.body).contains("/openapi.json"))
            }
        }
    }
}
