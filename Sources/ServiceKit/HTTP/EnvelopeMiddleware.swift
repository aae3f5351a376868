import Foundation
import Hummingbird
import HTTPTypes
import Logging

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

/// NIO's "too many bytes" error is matched through this protocol so the middleware needs no NIO import.
protocol NIOTooManyBytesErrorMarker: Error {}
