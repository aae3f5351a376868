import Foundation

/// A request body whose field rules are declared once, next to its type: `request.decodeJSON` enforces
/// them (every broken field in one 400) and `/openapi.json` publishes them as the JSON-schema constraints
/// of the same fields (`minLength`, `maxLength`, `pattern`, `enum`, `minimum`, `maximum`, `minItems`,
/// `maxItems`). Validation and document come from one declaration, so they cannot disagree.
///
///     struct NewProduct: ValidatedBody {
///         var sku: String; var name: String; var quantity: Int?
///         static let rules: [FieldRule<Self>] = [
///             .text("sku", \.sku, length: 1...64, pattern: "[A-Za-z0-9._-]+"),
///             .text("name", \.name, length: 1...200),
///             .integer("quantity", \.quantity, 1...99),
///         ]
///     }
///
/// Rules that need the database or the service's settings stay in the route's `validate` closure.
public protocol ValidatedBody: Decodable {
    static var rules: [FieldRule<Self>] { get }
}

extension ValidatedBody {
    /// One message per field that breaks its rule (the first rule of a field wins).
    public func ruleProblems() -> [FieldError] {
        var problems: [FieldError] = []
        for rule in Self.rules where !problems.contains(where: { $0.field == rule.field }) {
            if let message = rule.check(self) { problems.append(FieldError(field: rule.field, message: message)) }
        }
        return problems
    }
}

/// One field's rule: what it checks, and how the OpenAPI document states it.
public struct FieldRule<Body>: Sendable {
    /// The field's JSON name; a dotted path for a nested field (`price.amountMinor`).
    public let field: String
    /// JSON-schema keywords merged into the field's schema.
    let constraints: [String: JSONValue]
    let check: @Sendable (Body) -> String?

    public init(field: String, constraints: [String: JSONValue], check: @escaping @Sendable (Body) -> String?) {
        self.field = field
        self.constraints = constraints
        self.check = check
    }
}

extension FieldRule {
    /// Text of `length` characters (Unicode scalars, as JSON Schema counts), never blank, no control
    /// characters, and when given matching `pattern` as a whole (an ECMA-262-compatible regex).
    /// `format` (`email`, `uuid`, `date-time`) is stated in the document for clients and fuzzers; the check
    /// of the format itself stays with the route, which knows its exact rule.
    public static func text(_ field: String, _ value: KeyPath<Body, String> & Sendable, length: ClosedRange<Int>,
                            pattern: String? = nil, patternMessage: String? = nil, format: String? = nil) -> FieldRule {
        textRule(field, length: length, pattern: pattern, patternMessage: patternMessage, format: format) { $0[keyPath: value] }
    }

    /// The same for an optional field; absent (or null) passes.
    public static func text(_ field: String, _ value: KeyPath<Body, String?> & Sendable, length: ClosedRange<Int>,
                            pattern: String? = nil, patternMessage: String? = nil, format: String? = nil) -> FieldRule {
        textRule(field, length: length, pattern: pattern, patternMessage: patternMessage, format: format) { $0[keyPath: value] }
    }

    /// One of `values` exactly (UPPER_SNAKE enumerations, API.md §1.3).
    public static func oneOf(_ field: String, _ value: KeyPath<Body, String> & Sendable, _ values: [String]) -> FieldRule {
        enumRule(field, values) { $0[keyPath: value] }
    }

    public static func oneOf(_ field: String, _ value: KeyPath<Body, String?> & Sendable, _ values: [String]) -> FieldRule {
        enumRule(field, values) { $0[keyPath: value] }
    }

    /// A whole number in `range`.
    public static func integer<Number: BinaryInteger & Sendable>(_ field: String, _ value: KeyPath<Body, Number> & Sendable,
                                                                 _ range: ClosedRange<Int64>) -> FieldRule {
        integerRule(field, range) { Int64(exactly: $0[keyPath: value]) }
    }

    public static func integer<Number: BinaryInteger & Sendable>(_ field: String, _ value: KeyPath<Body, Number?> & Sendable,
                                                                 _ range: ClosedRange<Int64>) -> FieldRule {
        integerRule(field, range, optional: true) { $0[keyPath: value].flatMap { Int64(exactly: $0) } }
    }

    /// Distinct members of `values` (a set of roles, of flags).
    public static func subset(_ field: String, _ value: KeyPath<Body, [String]?> & Sendable, of values: [String]) -> FieldRule {
        FieldRule(field: field, constraints: ["items": ["enum": .array(values.map { .string($0) })], "uniqueItems": true]) { body in
            guard let members = body[keyPath: value] else { return nil }
            let valid = members.allSatisfy(values.contains) && Set(members).count == members.count
            return valid ? nil : "must be distinct values among \(values.joined(separator: ", "))"
        }
    }

    /// An array of `count` elements.
    public static func items<Element>(_ field: String, _ value: KeyPath<Body, [Element]> & Sendable,
                                      count: ClosedRange<Int>) -> FieldRule {
        itemsRule(field, count) { $0[keyPath: value].count }
    }

    public static func items<Element>(_ field: String, _ value: KeyPath<Body, [Element]?> & Sendable,
                                      count: ClosedRange<Int>) -> FieldRule {
        itemsRule(field, count) { $0[keyPath: value]?.count }
    }

    // MARK: The checks behind them

    private static func textRule(_ field: String, length: ClosedRange<Int>, pattern: String?, patternMessage: String?,
                                 format: String?, _ read: @escaping @Sendable (Body) -> String?) -> FieldRule {
        var constraints: [String: JSONValue] = ["minLength": .integer(Int64(length.lowerBound)),
                                                "maxLength": .integer(Int64(length.upperBound))]
        if let format { constraints["format"] = .string(format) }
        // Anchored: JSON Schema's `pattern` matches anywhere, the check matches the whole value. Without a
        // pattern of its own, the document states the checks below: no control characters (Unicode Cc),
        // and not blank when the field is required.
        let noControls = "[^\\x00-\\x1F\\x7F-\\x9F]*"
        constraints["pattern"] = .string(pattern.map { "^(?:\($0))$" } ?? (length.lowerBound > 0 ? "^(?=.*\\S)\(noControls)$" : "^\(noControls)$"))
        let regex = pattern.flatMap { try? NSRegularExpression(pattern: "^(?:\($0))$") }
        return FieldRule(field: field, constraints: constraints) { body in
            guard let text = read(body) else { return nil }
            let count = text.unicodeScalars.count
            if count < length.lowerBound {
                return length.lowerBound == 1 ? "must not be empty" : "must be at least \(length.lowerBound) characters"
            }
            if count > length.upperBound { return "must be at most \(length.upperBound) characters" }
            if length.lowerBound > 0, text.allSatisfy(\.isWhitespace) { return "must not be blank" }
            if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "must not contain control characters"
            }
            if let regex, regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                return patternMessage ?? "must match \(pattern ?? "")"
            }
            return nil
        }
    }

    private static func enumRule(_ field: String, _ values: [String], _ read: @escaping @Sendable (Body) -> String?) -> FieldRule {
        FieldRule(field: field, constraints: ["enum": .array(values.map { .string($0) })]) { body in
            guard let value = read(body), !values.contains(value) else { return nil }
            return "must be one of \(values.joined(separator: ", "))"
        }
    }

    private static func integerRule(_ field: String, _ range: ClosedRange<Int64>, optional: Bool = false,
                                    _ read: @escaping @Sendable (Body) -> Int64?) -> FieldRule {
        FieldRule(field: field, constraints: ["minimum": .integer(range.lowerBound), "maximum": .integer(range.upperBound)]) { body in
            guard let value = read(body) else { return optional ? nil : "must be between \(range.lowerBound) and \(range.upperBound)" }
            return range.contains(value) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        }
    }

    private static func itemsRule(_ field: String, _ count: ClosedRange<Int>, _ read: @escaping @Sendable (Body) -> Int?) -> FieldRule {
        FieldRule(field: field, constraints: ["minItems": .integer(Int64(count.lowerBound)), "maxItems": .integer(Int64(count.upperBound))]) { body in
            guard let actual = read(body), !count.contains(actual) else { return nil }
            return "must have between \(count.lowerBound) and \(count.upperBound) items"
        }
    }
}

extension OpenAPIDocument {
    /// `schema` (an object schema derived from an example) with the body type's declared rules merged in.
    static func applyingRules(of value: any Encodable, to schema: JSONValue) -> JSONValue {
        guard let body = value as? any ValidatedBody else { return schema }
        return constraints(of: body).reduce(schema) { schema, rule in merge(rule.constraints, at: rule.field.split(separator: "."), into: schema) }
    }

    private static func constraints<Body: ValidatedBody>(of _: Body) -> [(field: String, constraints: [String: JSONValue])] {
        Body.rules.map { ($0.field, $0.constraints) }
    }

    private static func merge(_ constraints: [String: JSONValue], at path: [Substring], into schema: JSONValue) -> JSONValue {
        guard let key = path.first, case .object(var object) = schema else { return schema }
        var properties = object["properties"]?.objectValue ?? [:]
        let property = properties[String(key)] ?? .object([:])
        if path.count == 1 {
            guard case .object(var fieldSchema) = property else { return schema }
            for (keyword, value) in constraints { fieldSchema[keyword] = value }
            properties[String(key)] = .object(fieldSchema)
        } else {
            properties[String(key)] = merge(constraints, at: Array(path.dropFirst()), into: property)
        }
        object["properties"] = .object(properties)
        return .object(object)
    }
}
