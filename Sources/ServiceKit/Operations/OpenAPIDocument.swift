import Foundation
import HTTPTypes
import Synchronization

/// What the OpenAPI document says about one operation. Request and response shapes are given as example
/// values; their JSON schema is derived from the encoded example, so the document cannot drift from the
/// types the handlers really decode and encode.
public struct OperationDoc: Sendable {
    /// A query parameter the route reads.
    public struct QueryParameter: Sendable {
        public var name: String
        /// `integer` or `string`.
        public var type: String
        public var minimum: Int?
        public var maximum: Int?
        public var summary: String

        public static func integer(_ name: String, _ range: ClosedRange<Int>, _ summary: String) -> QueryParameter {
            QueryParameter(name: name, type: "integer", minimum: range.lowerBound, maximum: range.upperBound, summary: summary)
        }

        public static func string(_ name: String, _ summary: String) -> QueryParameter {
            QueryParameter(name: name, type: "string", minimum: nil, maximum: nil, summary: summary)
        }
    }

    /// A flow from this operation's success to another operation (OpenAPI links): what a client does next
    /// with what it got, and the path a stateful fuzzer follows.
    public struct Link: Sendable {
        public var name: String
        /// The target's operationId (`postAuthLogin` for POST /auth/login).
        public var operationId: String
        /// Path or query parameters of the target, as runtime expressions (`$response.body#/data/id`).
        public var parameters: [String: String]
        /// The target's body, field by field, as runtime expressions (`$request.body#/email`).
        public var requestBody: [String: String]?

        public init(_ name: String, to operationId: String, parameters: [String: String] = [:], requestBody: [String: String]? = nil) {
            self.name = name
            self.operationId = operationId
            self.parameters = parameters
            self.requestBody = requestBody
        }
    }

    public var summary: String
    public var tag: String
    public var requiresAuth: Bool
    public var requestExample: (any Encodable & Sendable)?
    public var requestContentType: String
    public var responseExample: (any Encodable & Sendable)?
    /// Set for answers that are not the envelope (Prometheus text, HTML, RFC 6749 or JWKS JSON).
    public var rawResponseContentType: String?
    public var successStatus: Int
    public var errorStatuses: [Int]
    public var query: [QueryParameter]
    public var links: [Link]

    public init(_ summary: String, tag: String, requiresAuth: Bool = false, request: (any Encodable & Sendable)? = nil,
                requestContentType: String = "application/json", response: (any Encodable & Sendable)? = nil,
                rawResponse rawResponseContentType: String? = nil, successStatus: Int = 200, errors: [Int] = [],
                query: [QueryParameter] = [], links: [Link] = []) {
        self.summary = summary
        self.tag = tag
        self.requiresAuth = requiresAuth
        requestExample = request
        self.requestContentType = requestContentType
        responseExample = response
        self.rawResponseContentType = rawResponseContentType
        self.successStatus = successStatus
        errorStatuses = errors
        self.query = query
        self.links = links
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

    /// - Parameters:
    ///   - implied: statuses the route's middleware can answer (429 from a rate limit, 403 from a role check).
    func add(method: HTTPRequest.Method, path: String, doc: OperationDoc, implied: [Int] = []) {
        let segments = path.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        var operation: [String: JSONValue] = ["summary": .string(doc.summary), "tags": [.string(doc.tag)],
                                              "operationId": .string(Self.operationId(method: method, segments: segments))]
        var parameters: [JSONValue] = segments.filter { $0.hasPrefix("{") }.map { segment in
            ["name": .string(String(segment.dropFirst().dropLast())), "in": "path", "required": true, "schema": ["type": "string"]]
        }
        for parameter in doc.query {
            var schema: [String: JSONValue] = ["type": .string(parameter.type)]
            if let minimum = parameter.minimum { schema["minimum"] = .integer(Int64(minimum)) }
            if let maximum = parameter.maximum { schema["maximum"] = .integer(Int64(maximum)) }
            parameters.append(["name": .string(parameter.name), "in": "query", "required": false,
                               "description": .string(parameter.summary), "schema": .object(schema)])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if doc.requiresAuth { operation["security"] = [["bearerAuth": []]] }
        var statuses = Set(doc.errorStatuses + implied + [500])
        if doc.requiresAuth { statuses.insert(401) }
        if let request = doc.requestExample, let example = JSONValue.of(request) {
            operation["requestBody"] = ["required": true,
                                        "content": .object([doc.requestContentType: ["schema": Self.schema(of: request, example: example),
                                                                                      "example": example]])]
            // Any body can be malformed, too large or of another type.
            statuses.formUnion([400, 413, 415])
        }
        if !doc.query.isEmpty { statuses.insert(400) }
        var responses: [String: JSONValue] = [:]
        if let contentType = doc.rawResponseContentType {
            var content: [String: JSONValue] = [:]
            if let example = doc.responseExample.flatMap(JSONValue.of) { content = ["schema": example.schema, "example": example] }
            responses[String(doc.successStatus)] = ["description": "Success (not the envelope)",
                                                    "content": .object([contentType: .object(content)])]
        } else {
            let data = doc.responseExample.flatMap(JSONValue.of) ?? .null
            let envelope: JSONValue = ["status": "SUCCESS", "code": .integer(Int64(doc.successStatus)), "message": "OK", "data": data]
            var schema = envelope.schema
            if let example = doc.responseExample, case .object(var root) = schema, case .object(var properties)? = root["properties"],
               let dataSchema = properties["data"] {
                properties["data"] = Self.allowingNull(dataSchema, asIn: example)
                root["properties"] = .object(properties)
                schema = .object(root)
            }
            responses[String(doc.successStatus)] = ["description": "Success, in the standard envelope",
                                                    "content": ["application/json": ["schema": schema, "example": envelope]]]
        }
        if !doc.links.isEmpty, case .object(var success)? = responses[String(doc.successStatus)] {
            var links: [String: JSONValue] = [:]
            for link in doc.links {
                var value: [String: JSONValue] = ["operationId": .string(link.operationId)]
                if !link.parameters.isEmpty { value["parameters"] = .object(link.parameters.mapValues { .string($0) }) }
                if let body = link.requestBody { value["requestBody"] = .object(body.mapValues { .string($0) }) }
                links[link.name] = .object(value)
            }
            success["links"] = .object(links)
            responses[String(doc.successStatus)] = .object(success)
        }
        for status in statuses.sorted() where status != doc.successStatus {
            responses[String(status)] = ["$ref": "#/components/responses/Error"]
        }
        operation["responses"] = .object(responses)
        let key = "/" + segments.joined(separator: "/")
        paths.withLock { $0[key, default: [:]][method.rawValue.lowercased()] = .object(operation) }
    }

    /// The example's schema, with `required` listing the properties its type does not declare optional
    /// (read from the value's own stored properties, so it follows the Swift type the handler decodes).
    static func schema(of value: any Encodable, example: JSONValue) -> JSONValue {
        guard case .object(var schema) = applyingRules(of: value, to: example.schema) else { return example.schema }
        let mirror = Mirror(reflecting: value)
        let required = mirror.children.compactMap { child -> String? in
            guard let label = child.label else { return nil }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            return Mirror(reflecting: child.value).displayStyle == .optional ? nil : name
        }
        if mirror.displayStyle == .struct, !required.isEmpty {
            schema["required"] = .array(required.sorted().map { .string($0) })
        }
        return .object(schema)
    }

    /// `schema` (derived from the example `value`) with `null` allowed wherever the Swift type declares the
    /// property optional, at every depth: an example shows one value, the type says what else may come.
    /// Property names are the stored properties' (the DTOs use the synthesized coding keys).
    static func allowingNull(_ schema: JSONValue, asIn value: Any) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .collection, case .object(let items)? = object["items"], let first = mirror.children.first {
            object["items"] = allowingNull(.object(items), asIn: first.value)
            return .object(object)
        }
        guard mirror.displayStyle == .struct || mirror.displayStyle == .class,
              case .object(var properties)? = object["properties"] else { return schema }
        for child in mirror.children {
            guard let label = child.label else { continue }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            guard let property = properties[name] else { continue }
            let childMirror = Mirror(reflecting: child.value)
            if childMirror.displayStyle == .optional {
                if let wrapped = childMirror.children.first?.value {
                    properties[name] = nullable(allowingNull(property, asIn: wrapped))
                } else {
                    properties[name] = property   // the example is null: its schema already allows anything
                }
            } else {
                properties[name] = allowingNull(property, asIn: child.value)
            }
        }
        object["properties"] = .object(properties)
        return .object(object)
    }

    private static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema, case .string(let type)? = object["type"] else { return schema }
        object["type"] = [.string(type), "null"]
        return .object(object)
    }

    /// `getProductsById` for GET /products/{id}: stable, unique per method and path, readable in tools.
    static func operationId(method: HTTPRequest.Method, segments: [String]) -> String {
        var id = method.rawValue.lowercased()
        for segment in segments {
            let isParameter = segment.hasPrefix("{")
            let words = segment.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            if isParameter { id += "By" }
            for word in words { id += word.prefix(1).uppercased() + word.dropFirst() }
        }
        return id
    }

    /// OpenAPI links from each create to the read of what it created: a 201 whose `data` has an `id`, and
    /// a GET on the same path plus one parameter. Stateful fuzzers follow them (create, then read back).
    static func linked(_ paths: [String: [String: JSONValue]]) -> [String: [String: JSONValue]] {
        var paths = paths
        for (path, operations) in paths {
            guard case .object(var post)? = operations["post"], case .object(var responses)? = post["responses"],
                  case .object(var created)? = responses["201"], Self.createdDataHasId(created) else { continue }
            var links: [String: JSONValue] = [:]
            for (candidate, candidateOperations) in paths where candidate.hasPrefix(path + "/{") {
                let parameter = candidate.dropFirst(path.count + 2)
                guard parameter.hasSuffix("}"), !parameter.dropLast().contains("/"), !parameter.contains("{"),
                      case .object(let get)? = candidateOperations["get"], case .string(let target)? = get["operationId"]
                else { continue }
                links["Get" + target.dropFirst(3)] = ["operationId": .string(target),
                                                      "parameters": .object([String(parameter.dropLast()): "$response.body#/data/id"])]
            }
            guard !links.isEmpty else { continue }
            created["links"] = .object((created["links"]?.objectValue ?? [:]).merging(links) { declared, _ in declared })
            responses["201"] = .object(created)
            post["responses"] = .object(responses)
            paths[path]?["post"] = .object(post)
        }
        return paths
    }

    private static func createdDataHasId(_ response: [String: JSONValue]) -> Bool {
        guard case .object(let content)? = response["content"], case .object(let json)? = content["application/json"],
              case .object(let example)? = json["example"], case .object(let data)? = example["data"] else { return false }
        return data["id"] != nil
    }

    /// The document as JSON.
    public func render() -> Data {
        let errorExample: JSONValue = ["status": "ERROR", "code": 400, "message": "Validation failed",
                                       "errors": [["field": "email", "message": "must be a valid email address"]]]
        let document: JSONValue = [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": .string(version)],
            "paths": .object(Self.linked(paths.withLock { $0 }).mapValues { JSONValue.object($0) }),
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
