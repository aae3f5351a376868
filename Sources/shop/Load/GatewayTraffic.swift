import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One answer of the gateway: its status and body, with the envelope's `data` decoded on demand.
struct GatewayAnswer: Sendable {
    var status: Int
    var body: ByteBuffer

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The envelope's `data` as `T`, or nil when the body is not such an envelope.
    func data<T: Decodable>(_ type: T.Type) -> T? {
        (try? JSONDecoder().decode(Envelope<T>.self, from: Data(body.readableBytesView)))?.data
    }

    /// The envelope's `message`, or the start of the body: for error lines.
    var message: String {
        if let envelope = try? JSONDecoder().decode(Envelope<EmptyData>.self, from: Data(body.readableBytesView)),
           let message = envelope.message {
            return message
        }
        return String(String(buffer: body).prefix(200))
    }

    private struct Envelope<T: Decodable>: Decodable {
        var data: T?
        var message: String?
    }

    private struct EmptyData: Decodable {}
}

/// A call that got no answer at all (refused, reset, timed out).
struct NoAnswer: Error, CustomStringConvertible {
    var step: LoadStep
    /// A short class of the failure: `connection refused`, `timeout`, or the error's own text.
    var kind: String
    var description: String { "\(step.name): no answer (\(kind))" }
}

/// Every HTTP call of a run goes through here: to the gateway, timed, and counted in the recorder under its
/// step. A call that was cancelled (Ctrl-C) is neither timed nor counted.
struct GatewayTraffic: Sendable {
    let baseURL: String
    let client: HTTPClient
    let recorder: LoadRecorder
    let requestTimeout: TimeAmount

    func send(_ step: LoadStep, _ method: HTTPMethod, _ path: String, body: (any Encodable & Sendable)? = nil,
              bearer: String? = nil, idempotencyKey: String? = nil) async throws -> GatewayAnswer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let began = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: requestTimeout)
            let bytes = try await response.body.collect(upTo: 4 << 20)
            let status = Int(response.status.code)
            recorder.request(step, took: ContinuousClock.now - began, status: status)
            return GatewayAnswer(status: status, body: bytes)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let kind = Self.kind(of: error)
            recorder.transportFailure(step, took: ContinuousClock.now - began, kind: kind)
            throw NoAnswer(step: step, kind: kind)
        }
    }

    func get(_ step: LoadStep, _ path: String, bearer: String? = nil) async throws -> GatewayAnswer {
        try await send(step, .GET, path, bearer: bearer)
    }

    static func kind(of error: any Error) -> String {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("deadline") { return "timeout" }
        if text.localizedCaseInsensitiveContains("reset") || text.localizedCaseInsensitiveContains("closed") { return "connection closed" }
        return String(text.prefix(80))
    }
}
