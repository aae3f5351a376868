import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// Turns every failure into the error envelope: `APIError`s as they are, domain errors through
/// `APIErrorConvertible`, Hummingbird's own errors (404,
/// 413, …) with a message that says what to do, a path known under other methods into 405 with `Allow`,
/// and anything else into a 500 that leaks nothing (the cause goes to the log with the request id).
public struct EnvelopeMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let routes: RouteTable

    public init(routes: RouteTable) {
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.refusedMethods.contains(request.method) {
            // CONNECT would turn the connection into a tunnel; answer and close it instead of leaving the client waiting.
            let allowed = routes.methods(matching: request.uri.path).map(\.rawValue)
            return JSONBody.errorResponse(APIError(.methodNotAllowed, "\(request.method.rawValue) is not supported by this service",
                                                   headers: [.allow: allowed.isEmpty ? "GET, POST, PUT, PATCH, DELETE" : allowed.joined(separator: ", "),
                                                             .connection: "close"]))
        }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONBody.errorResponse(error)
        } catch let error as any APIErrorConvertible {
            let answer = error.apiError
            if answer.status == .internalServerError {
                // The client sees nothing internal; the log keeps the cause, with the request id. (502–504
                // are expected answers, logged where they are decided.)
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return JSONBody.errorResponse(answer)
        } catch let error as DecodingError {
            return JSONBody.errorResponse(.decoding(error))
        } catch let error as HTTPError {
            return JSONBody.errorResponse(translate(error, request: request))
        } catch let error as any HTTPResponseError {
            return JSONBody.errorResponse(APIError(error.status, error.status.reasonPhrase))
        } catch let error where Self.isClientGone(error) {
            // The client hung up mid-request: not a server error (499, as nginx counts it), and nothing to send.
            context.logger.info("the client closed the connection before the request was complete",
                                metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Response(status: .clientClosedRequest)
        } catch is NIOTooManyBytesErrorMarker {
            return JSONBody.errorResponse(APIError(.contentTooLarge, "The request body is larger than \(context.bodyLimit) bytes"))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return JSONBody.errorResponse(.internalError)
        }
    }

    private func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            let allowed = routes.methods(matching: request.uri.path)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                return APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allow)",
                                headers: [.allow: allow])
            }
            return .notFound("No route for \(request.method.rawValue) \(request.uri.path)")
        case .contentTooLarge:
            return APIError(.contentTooLarge, "The request body is too large")
        default:
            return APIError(error.status, error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }
}

extension EnvelopeMiddleware {
    static let refusedMethods: Set<HTTPRequest.Method> = [.connect, .trace]

    /// Errors of a request body whose connection the client closed (or reset) before sending all of it.
    static func isClientGone(_ error: any Error) -> Bool {
        if let parser = error as? HTTPParserError {
            return parser == .invalidEOFState || parser == .closedConnection
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .ioOnClosedChannel, .eof, .inputClosed, .outputClosed, .alreadyClosed: return true
            default: return false
            }
        }
        return false
    }
}

extension HTTPResponse.Status {
    /// Not an HTTP status a client ever receives: nginx's label for a request its client abandoned, used in
    /// access logs and metrics so that hang-ups never count as server errors.
    public static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}

/// NIO's "too many bytes" error is matched through this protocol so the middleware needs no NIO import.
protocol NIOTooManyBytesErrorMarker: Error {}
