import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// One authenticated GET to another service for read-through (API.md §1.9): the client-credentials token
/// (cached until it expires), the client's deadline, retries and circuit breaker. Whatever goes wrong on
/// the way — no client secret, IAM or the owner unreachable, a timeout, an open circuit, an answer other
/// than 200/404 — is `OrderError.dependencyUnavailable` (503), never a 500.
struct ServiceReader: Sendable {
    let http: ServiceHTTPClient
    /// nil when no client secret is configured: every read-through is then a 503.
    let token: ClientCredentialsToken?

    /// What the owner said: 200 with the envelope's `data` decoded as `T`, or 404.
    enum Answer<T: Sendable>: Sendable {
        case found(T)
        case notFound
    }

    func get<T: Decodable & Sendable>(_ type: T.Type, _ url: String, service: String) async throws(OrderError) -> Answer<T> {
        guard let token else {
            throw .dependencyUnavailable(service: service, reason: "no client secret is configured (SERVICE_CLIENT_SECRET)")
        }
        do {
            var reply = try await http.execute(.GET, url, headers: try await Self.headers(token))
            if reply.status == 401 {
                // The token expired early or IAM rotated its keys: one fresh token, one more try.
                await token.invalidate()
                reply = try await http.execute(.GET, url, headers: try await Self.headers(token))
            }
            switch reply.status {
            case 200:
                guard let envelope = try? JSONDecoder().decode(DataEnvelope<T>.self, from: Data(reply.body.readableBytesView)) else {
                    throw OrderError.dependencyUnavailable(service: service, reason: "\(url) answered JSON of an unexpected shape")
                }
                return .found(envelope.data)
            case 404:
                return .notFound
            default:
                throw OrderError.dependencyUnavailable(service: service, reason: "\(url) answered HTTP \(reply.status)")
            }
        } catch let error as OrderError {
            throw error
        } catch {
            // ServiceCallError (unreachable, timeout, circuit open; the token's too) or a cancellation.
            throw .dependencyUnavailable(service: service, reason: "\(error)")
        }
    }

    private static func headers(_ token: ClientCredentialsToken) async throws -> HTTPHeaders {
        ["Authorization": "Bearer \(try await token.token())", "Accept": "application/json"]
    }

    private struct DataEnvelope<Payload: Decodable>: Decodable {
        var data: Payload
    }

    /// `value` as one path segment (ids are checked as UUIDs before; this keeps a stray `/` or `?` inert).
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}
