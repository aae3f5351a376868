import Foundation
import Hummingbird
import HTTPTypes
import Logging

extension HTTPField.Name {
    public static let requestId = HTTPField.Name("X-Request-Id")!
}

/// Takes the client's X-Request-Id (when it is a sane token) or makes one, puts it on the logger and
/// on every answer, errors included.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestId]
        let id = incoming.flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        context.requestId = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestId] = id
        return response
    }

    /// At most 128 printable ASCII characters without spaces; anything else is replaced.
    static func acceptable(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 128,
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return value
    }
}
