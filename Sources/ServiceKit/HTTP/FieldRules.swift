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
    /// Whether `null` for an optional member means "left out" (the default, as `decodeIfPresent` reads it)
    /// rather than a refused value; the document allows `null` exactly when it does.
    static var nullIsAbsent: Bool { get }
}

extension ValidatedBody {
    public static var nullIsAbsent: Bool { true }

    /// One message per field that breaks its rule (the first rule of a field wins).
    public func ruleProblems() -> [FieldError] {
        var problems: [FieldError] = []
        for rule in Self.rules {
            for problem in rule.check(self) where !problems.contains(where: { $0.field == problem.field }) {
                problems.append(problem)
            }
        }
        return problems
    }
}

/// Where in a body's schema a rule's keywords go: member names, `[]` for an array's items; empty for the
/// body itself.
struct DocumentedConstraint: Sendable {
    var path: [String]
    var constraints: [String: JSONValue]
}

/// One field's rule: what it checks, and how the OpenAPI document states it.
public struct FieldRule<Body>: Sendable {
    /// The field's JSON name; a dotted path for a nested field (`price.amountMinor`).
    public let field: String
    let documented: [DocumentedConstraint]
    let check: @Sendable (Body) -> [FieldError]

    /// A rule on `field` (dotted for a nested member) whose `constraints` are JSON-schema keywords.
    public init(field: String, constraints: [String: JSONValue], check: @escaping @Sendable (Body) -> String?) {
        self.init(field: field, path: field.split(separator: ".").map(String.init), constraints: constraints, check: check)
    }

    init(field: String, path: [String], constraints: [String: JSONValue], check: @escaping @Sendable (Body) -> String?) {
        self.field = field
        documented = [DocumentedConstraint(path: path, constraints: constraints)]
        self.check = { body in check(body).map { [FieldError(field: field, message: $0)] } ?? [] }
    }

    init(field: String, documented: [DocumentedConstraint], check: @escaping @Sendable (Body) -> [FieldError]) {
        self.field = field
        self.documented = documented
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
        FieldRule(field: field, constraints: ["type": "array", "items": ["type": "string", "enum": .array(values.map { .string($0) })], "uniqueItems": true]) { body in
            guard let members = body[keyPath: value] else { return nil }
            let valid = members.allSatisfy(values.contains) && Set(members).count == members.count
            return valid ? nil : "must be distinct values among \(values.joined(separator: ", "))"
        }
    }

    /// An array of `count` elements. `distinct` states in the document that no two elements are equal; the
    /// route checks its own notion of a repeat (the same product in two lines), which that implies.
    public static func items<Element>(_ field: String, _ value: KeyPath<Body, [Element]> & Sendable,
                                      count: ClosedRange<Int>, distinct: Bool = false) -> FieldRule {
        itemsRule(field, count, distinct: distinct) { $0[keyPath: value].count }
    }

    public static func items<Element>(_ field: String, _ value: KeyPath<Body, [Element]?> & Sendable,
                                      count: ClosedRange<Int>, distinct: Bool = false) -> FieldRule {
        itemsRule(field, count, distinct: distinct) { $0[keyPath: value]?.count }
    }

    /// A change must name at least one of `fields` (a PATCH that changes nothing is a 400). The document
    /// says so as `anyOf` required members, which an unknown member cannot satisfy (unlike `minProperties`).
    public static func changesOneOf(_ fields: [String], _ named: @escaping @Sendable (Body) -> Bool) -> FieldRule {
        let alternatives: [JSONValue] = fields.map { ["required": [.string($0)]] }
        let list = fields.count > 1 ? fields.dropLast().joined(separator: ", ") + " or " + (fields.last ?? "") : fields.joined()
        return FieldRule(field: "body", path: [], constraints: ["anyOf": .array(alternatives)]) { body in
            named(body) ? nil : "must change \(list)"
        }
    }

    /// `field` may be given (not null) only when `other` is `value`: a flag that belongs to one status.
    public static func only(_ field: String, given: @escaping @Sendable (Body) -> Bool, when other: String, is value: String,
                            _ holds: @escaping @Sendable (Body) -> Bool) -> FieldRule {
        let alternatives: [JSONValue] = [
            ["not": ["required": [.string(field)]]],
            ["properties": .object([field: ["type": "null"]])],
            ["properties": .object([other: ["const": .string(value)]]), "required": [.string(other)]],
        ]
        return FieldRule(field: field, path: [], constraints: ["anyOf": .array(alternatives)]) { body in
            !given(body) || holds(body) ? nil : "is allowed only with \(other) \(value)"
        }
    }

    /// A UUID (any case; the service stores the lowercase form).
    public static func uuid(_ field: String, _ value: KeyPath<Body, String> & Sendable) -> FieldRule {
        uuidRule(field) { $0[keyPath: value] }
    }

    public static func uuid(_ field: String, _ value: KeyPath<Body, String?> & Sendable) -> FieldRule {
        uuidRule(field) { $0[keyPath: value] }
    }

    /// A whole number in `range` other than `excluded` (an adjustment's non-zero delta).
    public static func integer<Number: BinaryInteger & Sendable>(_ field: String, _ value: KeyPath<Body, Number> & Sendable,
                                                                 _ range: ClosedRange<Int64>, excluding excluded: Int64) -> FieldRule {
        let message = "must be between \(range.lowerBound) and \(range.upperBound), not \(excluded)"
        return FieldRule(field: field, constraints: ["type": "integer", "minimum": .integer(range.lowerBound), "maximum": .integer(range.upperBound),
                                                     "not": ["const": .integer(excluded)]]) { body in
            guard let number = Int64(exactly: body[keyPath: value]), range.contains(number), number != excluded else { return message }
            return nil
        }
    }

    /// `rules` of a nested object's members, reported as `field.member`.
    public static func nested<Member>(_ field: String, _ value: KeyPath<Body, Member> & Sendable, _ rules: [FieldRule<Member>]) -> FieldRule {
        nestedRule(field, rules) { $0[keyPath: value] }
    }

    /// The same for an optional nested object; absent (or null) passes.
    public static func nested<Member>(_ field: String, _ value: KeyPath<Body, Member?> & Sendable, _ rules: [FieldRule<Member>]) -> FieldRule {
        nestedRule(field, rules) { $0[keyPath: value] }
    }

    /// `rules` of every element of an array, reported as `field[index].member`.
    public static func each<Element>(_ field: String, _ value: KeyPath<Body, [Element]> & Sendable, _ rules: [FieldRule<Element>]) -> FieldRule {
        eachRule(field, rules) { $0[keyPath: value] }
    }

    public static func each<Element>(_ field: String, _ value: KeyPath<Body, [Element]?> & Sendable, _ rules: [FieldRule<Element>]) -> FieldRule {
        eachRule(field, rules) { $0[keyPath: value] }
    }

    // MARK: The checks behind them

    private static func uuidRule(_ field: String, _ read: @escaping @Sendable (Body) -> String?) -> FieldRule {
        FieldRule(field: field, constraints: ["type": "string", "format": "uuid", "pattern": .string("^\(Identifier.uuidPattern)$")]) { body in
            guard let text = read(body), !Identifier.isUUID(text) else { return nil }
            return "must be a UUID"
        }
    }

    private static func nestedRule<Member>(_ field: String, _ rules: [FieldRule<Member>],
                                           _ read: @escaping @Sendable (Body) -> Member?) -> FieldRule {
        let path = field.split(separator: ".").map(String.init)
        let documented = rules.flatMap { rule in rule.documented.map { DocumentedConstraint(path: path + $0.path, constraints: $0.constraints) } }
        return FieldRule(field: field, documented: documented) { body in
            guard let member = read(body) else { return [] }
            return rules.flatMap { rule in rule.check(member).map { FieldError(field: "\(field).\($0.field)", message: $0.message) } }
        }
    }

    private static func eachRule<Element>(_ field: String, _ rules: [FieldRule<Element>],
                                          _ read: @escaping @Sendable (Body) -> [Element]?) -> FieldRule {
        let path = field.split(separator: ".").map(String.init) + ["[]"]
        let documented = rules.flatMap { rule in rule.documented.map { DocumentedConstraint(path: path + $0.path, constraints: $0.constraints) } }
        return FieldRule(field: field, documented: documented) { body in
            guard let elements = read(body) else { return [] }
            return elements.enumerated().flatMap { index, element in
                rules.flatMap { rule in rule.check(element).map { FieldError(field: "\(field)[\(index)].\($0.field)", message: $0.message) } }
            }
        }
    }

    private static func textRule(_ field: String, length: ClosedRange<Int>, pattern: String?, patternMessage: String?,
                                 format: String?, _ read: @escaping @Sendable (Body) -> String?) -> FieldRule {
        var constraints: [String: JSONValue] = ["type": "string", "minLength": .integer(Int64(length.lowerBound)),
                                                "maxLength": .integer(Int64(length.upperBound))]
        if let format { constraints["format"] = .string(format) }
        // Anchored: JSON Schema's `pattern` matches anywhere, the check matches the whole value. The document
        // states every check below, a field's own pattern included: no control characters (Unicode Cc), and
        // not blank when the field is required.
        let noControls = "[^\\x00-\\x1F\\x7F-\\x9F]*"
        let notBlank = length.lowerBound > 0 ? "(?=[\\s\\S]*\\S)" : ""
        constraints["pattern"] = .string(pattern.map { "^(?=\(noControls)$)\(notBlank)(?:\($0))$" } ?? "^\(notBlank)\(noControls)$")
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
        FieldRule(field: field, constraints: ["type": "string", "enum": .array(values.map { .string($0) })]) { body in
            guard let value = read(body), !values.contains(value) else { return nil }
            return "must be one of \(values.joined(separator: ", "))"
        }
    }

    private static func integerRule(_ field: String, _ range: ClosedRange<Int64>, optional: Bool = false,
                                    _ read: @escaping @Sendable (Body) -> Int64?) -> FieldRule {
        FieldRule(field: field, constraints: ["type": "integer", "minimum": .integer(range.lowerBound), "maximum": .integer(range.upperBound)]) { body in
            guard let value = read(body) else { return optional ? nil : "must be between \(range.lowerBound) and \(range.upperBound)" }
            return range.contains(value) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        }
    }

    private static func itemsRule(_ field: String, _ count: ClosedRange<Int>, distinct: Bool,
                                  _ read: @escaping @Sendable (Body) -> Int?) -> FieldRule {
        var constraints: [String: JSONValue] = ["type": "array", "minItems": .integer(Int64(count.lowerBound)),
                                                "maxItems": .integer(Int64(count.upperBound))]
        if distinct { constraints["uniqueItems"] = true }
        return FieldRule(field: field, constraints: constraints) { body in
            guard let actual = read(body), !count.contains(actual) else { return nil }
            return "must have between \(count.lowerBound) and \(count.upperBound) items"
        }
    }
}

extension OpenAPIDocument {
    /// `schema` (an object schema derived from an example) with the body type's declared rules merged in.
    static func applyingRules(of value: any Encodable, to schema: JSONValue) -> JSONValue {
        guard let body = value as? any ValidatedBody else { return schema }
        let nullIsAbsent = type(of: body).nullIsAbsent
        return documented(of: body).reduce(schema) { schema, rule in
            merge(rule.constraints, at: rule.path[...], into: schema, nullIsAbsent: nullIsAbsent)
        }
    }

    private static func documented<Body: ValidatedBody>(of _: Body) -> [DocumentedConstraint] {
        Body.rules.flatMap(\.documented)
    }

    /// Merges `constraints` into the schema at `path` (member names, `[]` for an array's items).
    private static func merge(_ constraints: [String: JSONValue], at path: ArraySlice<String>, into schema: JSONValue,
                              nullIsAbsent: Bool) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        guard let key = path.first else {
            for (keyword, value) in constraints where keyword != "type" { object[keyword] = value }
            // The example's type stands (it knows about null); a member the example left out (an optional
            // one, null there) takes the rule's type, and null when the body reads null as absent.
            if object["type"] == nil, let type = constraints["type"] {
                object["type"] = nullIsAbsent ? [type, "null"] : type
            }
            // A member that may be null keeps null among its listed values.
            if case .array(let types)? = object["type"], types.contains(.null) || types.contains("null"),
               case .array(let values)? = object["enum"], !values.contains(.null) {
                object["enum"] = .array(values + [.null])
            }
            return .object(object)
        }
        if key == "[]" {
            guard let items = object["items"] else { return schema }
            object["items"] = merge(constraints, at: path.dropFirst(), into: items, nullIsAbsent: nullIsAbsent)
            return .object(object)
        }
        var properties = object["properties"]?.objectValue ?? [:]
        // A member the example leaves out still gets its rule.
        properties[key] = merge(constraints, at: path.dropFirst(), into: properties[key] ?? .object([:]), nullIsAbsent: nullIsAbsent)
        object["properties"] = .object(properties)
        return .object(object)
    }
}
