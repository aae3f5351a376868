import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Configuration from the config server (`CONFIG_SERVER_URL`), merged under the environment: a variable set
/// (non-empty) in the environment always wins. Settings: `RemoteConfigurationSettings`.
public enum RemoteConfiguration {
    /// The environment a service starts with: the config server's properties for `application` and the
    /// profile in `SHOP_PROFILE` (default `default`), overridden by `environment`. Without
    /// `CONFIG_SERVER_URL`, `environment` unchanged. When the server cannot answer: a
    /// `RemoteConfigurationError`, or with `CONFIG_SERVER_OPTIONAL=true` a warning on stderr and the
    /// environment alone (this runs before logging is set up).
    public static func merged(environment: [String: String], application: String) async throws -> [String: String] {
        try await merged(environment: environment, application: application) { warning in
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
    }

    /// `merged(environment:application:)` with the warning sent to `warn`.
    public static func merged(environment: [String: String], application: String,
                              warn: @Sendable (String) -> Void) async throws -> [String: String] {
        overlay(environment, on: try await remote(environment: environment, application: application, warn: warn))
    }

    /// The config server's properties alone (empty without `CONFIG_SERVER_URL`, or when an optional
    /// server cannot answer: then `warn` says so).
    public static func remote(environment: [String: String], application: String,
                              warn: @Sendable (String) -> Void) async throws -> [String: String] {
        guard let settings = try RemoteConfigurationSettings(environment: environment, application: application) else {
            return [:]
        }
        do {
            return try await fetch(settings)
        } catch where settings.optional {
            warn("\(error) Continuing with the environment alone (CONFIG_SERVER_OPTIONAL=true).")
            return [:]
        }
    }

    /// `remote` with every non-empty variable of `environment` on top.
    public static func overlay(_ environment: [String: String], on remote: [String: String]) -> [String: String] {
        var result = remote
        for (key, value) in environment where !value.isEmpty || result[key] == nil {
            result[key] = value
        }
        return result
    }

    /// The merged properties the server answers, with retries (doubling delay) on no answer or a 5xx.
    public static func fetch(_ settings: RemoteConfigurationSettings) async throws -> [String: String] {
        let url = settings.requestURL
        var lastFailure = "no attempt"
        var delay = settings.retryDelay
        for attempt in 1...settings.attempts {
            if attempt > 1 {
                do { try await Task.sleep(for: delay) } catch { break }
                delay *= 2
            }
            switch await get(url, timeout: settings.timeout) {
            case .failed(let reason):
                lastFailure = reason
            case .answered(let status, let body) where status == 200:
                return try decode(body, url: url)
            case .answered(let status, let body) where (400..<500).contains(status):
                throw RemoteConfigurationError.rejected(url: url, status: status, message: message(in: body))
            case .answered(let status, let body):
                lastFailure = "HTTP \(status): \(message(in: body))"
            }
        }
        throw RemoteConfigurationError.unreachable(url: url, attempts: settings.attempts, lastFailure: lastFailure)
    }

    private enum Attempt {
        case answered(status: Int, body: ByteBuffer)
        case failed(String)
    }

    private static func get(_ url: String, timeout: Duration) async -> Attempt {
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.wholeNanoseconds))
            let body = try await response.body.collect(upTo: 4 << 20)
            return .answered(status: Int(response.status.code), body: body)
        } catch {
            return .failed("\(error)")
        }
    }

    private struct Answer: Decodable {
        struct Payload: Decodable { var properties: [String: String] }
        var data: Payload?
    }

    private struct ErrorAnswer: Decodable { var message: String }

    static func decode(_ body: ByteBuffer, url: String) throws -> [String: String] {
        do {
            guard let payload = try JSONDecoder().decode(Answer.self, from: Data(buffer: body)).data else {
                throw RemoteConfigurationError.invalidResponse(url: url, reason: "the envelope has no data")
            }
            return payload.properties
        } catch let error as RemoteConfigurationError {
            throw error
        } catch {
            throw RemoteConfigurationError.invalidResponse(url: url, reason: "\(error)")
        }
    }

    static func message(in body: ByteBuffer) -> String {
        if let answer = try? JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: body)) { return answer.message }
        let text = String(buffer: body)
        return text.isEmpty ? "(empty body)" : String(text.prefix(200))
    }
}

private extension Duration {
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
