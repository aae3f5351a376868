import Foundation
import HTTPTypes
import Synchronization

/// What the OpenAPI document says about one operation. Request and response shapes are given as example
/// values; their JSON schema is derived from the encoded example, so the document cannot drift from the
/// types the handlers really decode and encode.
public struct OperationDoc: Sendable {
    /// A query parameter the route reads, with the constraints its validation applies (stated from the
    /// same constants the handler checks against).
    public struct QueryParameter: Sendable {
        public var name: String
        /// `integer` or `string`.
        public var type: String
        public var minimum: Int?
        public var maximum: Int?
        public var summary: String
        public var required = false
        public var values: [String]?
        public var length: ClosedRange<Int>?
        /// Matched against the whole value (the document anchors it).
        public var pattern: String?
        public var format: String?

        public static func integer(_ name: String, _ range: ClosedRange<Int>, _ summary: String) -> QueryParameter {
            QueryParameter(name: name, type: "integer", minimum: range.lowerBound, maximum: range.upperBound, summary: summary)
        }

        public static func string(_ name: String, _ summary: String, length: ClosedRange<Int>? = nil, pattern: String? = nil,
                                  format: String? = nil, required: Bool = false) -> QueryParameter {
            QueryParameter(name: name, type: "string", minimum: nil, maximum: nil, summary: summary, required: required,
                           length: length, pattern: pattern, format: format)
        }

        /// A UUID, in any case (`Identifier.canonical` reads it).
        public static func uuid(_ name: String, _ summary: String, required: Bool = false) -> QueryParameter {
            string(name, summary, pattern: Identifier.uuidPattern, format: "uuid", required: required)
        }

        /// One of `values` exactly.
        public static func oneOf(_ name: String, _ values: [String], _ summary: String) -> QueryParameter {
            QueryParameter(name: name, type: "string", minimum: nil, maximum: nil, summary: summary, values: values)
        }

        /// A comma-separated list of members of `values` (`status=PAID,SHIPPED`).
        public static func list(_ name: String, of values: [String], _ summary: String) -> QueryParameter {
            let member = "(?:" + values.joined(separator: "|") + ")"
            return string(name, summary, pattern: "\(member)(?:,\(member))*")
        }

        var schema: JSONValue {
            var schema: [String: JSONValue] = ["type": .string(type)]
            if let minimum { schema["minimum"] = .integer(Int64(minimum)) }
            if let maximum { schema["maximum"] = .integer(Int64(maximum)) }
            if let values { schema["enum"] = .array(values.map { .string($0) }) }
            if let length {
                schema["minLength"] = .integer(Int64(length.lowerBound))
                schema["maxLength"] = .integer(Int64(length.upperBound))
            }
            if let pattern { schema["pattern"] = .string("^(?:\(pattern))$") }
            if let format { schema["format"] = .string(format) }
            return .object(schema)
        }
    }

    /// A request header the route reads (`Idempotency-Key` on a create that must not run twice).
    public struct HeaderParameter: Sendable {
        public var name: String
        public var summary: String
        public var required: Bool
        public var length: ClosedRange<Int>
        public var pattern: String

        public init(_ name: String, _ summary: String, required: Bool, length: ClosedRange<Int>, pattern: String) {
            self.name = name
            self.summary = summary
            self.required = required
            self.length = length
            self.pattern = pattern
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
    /// The request body's schema where an example cannot say it (a form whose required fields depend on
    /// one of its values); otherwise derived from `requestExample`.
    public var requestSchema: JSONValue?
    public var responseExample: (any Encodable & Sendable)?
    /// Set for answers that are not the envelope (Prometheus text, HTML, RFC 6749 or JWKS JSON).
    public var rawResponseContentType: String?
    public var successStatus: Int
    public var errorStatuses: [Int]
    public var query: [QueryParameter]
    /// Constraints of path parameters the route checks itself (a malformed one is then a 400, not the 404
    /// of an unknown id); by name, without `required` (a path parameter always is).
    public var path: [QueryParameter]
    /// Whether a request may come without a body at all (the body is then optional).
    public var requestBodyRequired: Bool
    public var headers: [HeaderParameter]
    public var links: [Link]

    public init(_ summary: String, tag: String, requiresAuth: Bool = false, request: (any Encodable & Sendable)? = nil,
                requestContentType: String = "application/json", requestSchema: JSONValue? = nil,
                response: (any Encodable & Sendable)? = nil,
                rawResponse rawResponseContentType: String? = nil, successStatus: Int = 200, errors: [Int] = [],
                query: [QueryParameter] = [], path: [QueryParameter] = [], requestBodyRequired: Bool = true,
                headers: [HeaderParameter] = [], links: [Link] = []) {
        self.summary = summary
        self.tag = tag
        self.requiresAuth = requiresAuth
        requestExample = request
        self.requestContentType = requestContentType
        self.requestSchema = requestSchema
        responseExample = response
        self.rawResponseContentType = rawResponseContentType
        self.successStatus = successStatus
        errorStatuses = errors
        self.query = query
        self.path = path
        self.requestBodyRequired = requestBodyRequired
        self.headers = headers
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
            let name = String(segment.dropFirst().dropLast())
            let schema = doc.path.first { $0.name == name }?.schema ?? ["type": "string"]
            return ["name": .string(name), "in": "path", "required": true, "schema": schema]
        }
        for parameter in doc.query {
            parameters.append(["name": .string(parameter.name), "in": "query", "required": .bool(parameter.required),
                               "description": .string(parameter.summary), "schema": parameter.schema])
        }
        for header in doc.headers {
            parameters.append(["name": .string(header.name), "in": "header", "required": .bool(header.required), "description": .string(header.summary),
                               "schema": ["type": "string", "minLength": .integer(Int64(header.length.lowerBound)),
                                          "maxLength": .integer(Int64(header.length.upperBound)),
                                          "pattern": .string("^(?:\(header.pattern))$")]])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if doc.requiresAuth { operation["security"] = [["bearerAuth": []]] }
        var statuses = Set(doc.errorStatuses + implied + [500])
        if doc.requiresAuth { statuses.insert(401) }
        if let request = doc.requestExample, let example = JSONValue.of(request) {
            operation["requestBody"] = ["required": .bool(doc.requestBodyRequired),
                                        "content": .object([doc.requestContentType: ["schema": doc.requestSchema ?? Self.schema(of: request, example: example),
                                                                                      "example": example]])]
            // Any body can be malformed, too large or of another type.
            statuses.formUnion([400, 413, 415])
        }
        if !doc.query.isEmpty || !doc.headers.isEmpty { statuses.insert(400) }
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

    /// A request body's schema: the example's, with `required` listing the properties its type does not
    /// declare optional and `null` allowed for those it does (a decoder reads an absent member and `null`
    /// alike, unless the type says it refuses `null`), at every depth, then the type's declared rules
    /// merged in. Read from the value's own stored properties, so it follows the Swift type the handler decodes.
    static func schema(of value: any Encodable, example: JSONValue) -> JSONValue {
        let nullIsAbsent = (value as? any ValidatedBody).map { type(of: $0).nullIsAbsent } ?? true
        return applyingRules(of: value, to: requestSchema(example.schema, asIn: value, nullIsAbsent: nullIsAbsent))
    }

    private static func requestSchema(_ schema: JSONValue, asIn value: Any, nullIsAbsent: Bool) -> JSONValue {
        described(schema, asIn: value, as: .request(nullIsAbsent: nullIsAbsent))
    }

    /// `schema` (derived from the example `value`) with `null` allowed wherever the Swift type declares the
    /// property optional, at every depth: an example shows one value, the type says what else may come.
    /// Property names are the stored properties' (the DTOs use the synthesized coding keys).
    static func allowingNull(_ schema: JSONValue, asIn value: Any) -> JSONValue {
        described(schema, asIn: value, as: .response)
    }

    /// What a schema derived from an example is for: an answer (optional members may be null) or a request
    /// (also `required` members, 64-bit integers, and null only where the decoder reads it as absent).
    private enum SchemaUse {
        case response
        case request(nullIsAbsent: Bool)
    }

    /// The example's schema completed from the Swift type of `value`, walked through its stored properties.
    private static func described(_ schema: JSONValue, asIn value: Any, as use: SchemaUse) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        if case .request = use, object["type"] == "integer" {
            // A JSON integer the Swift type cannot hold fails to decode: the document says what fits in 64
            // bits (a field's own rule narrows it).
            object["minimum"] = .integer(Int64.min)
            object["maximum"] = .integer(Int64.max)
            return .object(object)
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .collection, case .object(let items)? = object["items"], let first = mirror.children.first {
            object["items"] = described(.object(items), asIn: first.value, as: use)
            return .object(object)
        }
        guard mirror.displayStyle == .struct || mirror.displayStyle == .class,
              case .object(var properties)? = object["properties"] else { return schema }
        var required: [String] = []
        for child in mirror.children {
            guard let label = child.label else { continue }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            // A stored property the type does not encode (a flag its decoder sets) is not part of the schema.
            guard let property = properties[name] else { continue }
            let childMirror = Mirror(reflecting: child.value)
            if childMirror.displayStyle == .optional {
                // A null example already allows anything.
                guard let wrapped = childMirror.children.first?.value else { continue }
                let inner = described(property, asIn: wrapped, as: use)
                if case .request(nullIsAbsent: false) = use {
                    properties[name] = inner
                } else {
                    properties[name] = nullable(inner)
                }
            } else {
                required.append(name)
                properties[name] = described(property, asIn: child.value, as: use)
            }
        }
        object["properties"] = .object(properties)
        if case .request = use, !required.isEmpty { object["required"] = .array(required.sorted().map { .string($0) }) }
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
