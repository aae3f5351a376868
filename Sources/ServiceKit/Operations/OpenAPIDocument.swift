import Foundation
import HTTPTypes
import Synchronization

/// What the OpenAPI document says about one operation. Request and response shapes are given as example
/// values; their JSON schema is derived from the encoded example, so the document cannot drift from the
/// types the handlers really decode and encode.
public struct OperationDoc: Sendable {
    public var summary: String
    public var tag: String
    public var requiresAuth: Bool
    public var requestExample: (any Encodable & Sendable)?
    public var requestContentType: String
    public var responseExample: (any Encodable & Sendable)?
    public var successStatus: Int
    public var errorStatuses: [Int]

    public init(_ summary: String, tag: String, requiresAuth: Bool = false, request: (any Encodable & Sendable)? = nil,
                requestContentType: String = "application/json", response: (any Encodable & Sendable)? = nil,
                successStatus: Int = 200, errors: [Int] = []) {
        self.summary = summary
        self.tag = tag
        self.requiresAuth = requiresAuth
        requestExample = request
        self.requestContentType = requestContentType
        responseExample = response
        self.successStatus = successStatus
        errorStatuses = errors
    }
}

/// An OpenAPI 3.1 document built from the routes as they are registered.
public final class OpenAPIDocument: Sendable {
    private let paths = Mutex<[String: [String: JSONValue]]>([:])
    public let title: String
    public let version: String

    public init(title: String, version: String = "1.0.0") {
        self.title = title
        self.version = version
    }

    func add(method: HTTPRequest.Method, path: String, doc: OperationDoc) {
        let segments = path.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        var operation: [String: JSONValue] = ["summary": .string(doc.summary), "tags": [.string(doc.tag)]]
        let parameters: [JSONValue] = segments.filter { $0.hasPrefix("{") }.map { segment in
            ["name": .string(String(segment.dropFirst().dropLast())), "in": "path", "required": true, "schema": ["type": "string"]]
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if doc.requiresAuth { operation["security"] = [["bearerAuth": []]] }
        if let example = doc.requestExample.flatMap(JSONValue.of) {
            operation["requestBody"] = ["required": true,
                                        "content": .object([doc.requestContentType: ["schema": example.schema, "example": example]])]
        }
        var responses: [String: JSONValue] = [:]
        let data = doc.responseExample.flatMap(JSONValue.of) ?? .null
        let envelope: JSONValue = ["status": "SUCCESS", "code": .integer(Int64(doc.successStatus)), "message": "OK", "data": data]
        responses[String(doc.successStatus)] = ["description": "Success, in the standard envelope",
                                                "content": ["application/json": ["schema": envelope.schema, "example": envelope]]]
        for status in Set(doc.errorStatuses + (doc.requiresAuth ? [401] : []) + [500]).sorted() {
            responses[String(status)] = ["$ref": "#/components/responses/Error"]
        }
        operation["responses"] = .object(responses)
        let key = "/" + segments.joined(separator: "/")
        paths.withLock { $0[key, default: [:]][method.rawValue.lowercased()] = .object(operation) }
    }

    /// The document as JSON.
    public func render() -> Data {
        let errorExample: JSONValue = ["status": "ERROR", "code": 400, "message": "Validation failed",
                                       "errors": [["field": "email", "message": "must be a valid email address"]]]
        let document: JSONValue = [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": .string(version)],
            "paths": .object(paths.withLock { $0 }.mapValues { JSONValue.object($0) }),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "responses": ["Error": ["description": "An error, in the standard envelope",
                                        "content": ["application/json": ["schema": errorExample.schema, "example": errorExample]]]],
            ],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(document)) ?? Data("{}".utf8)
    }
}
