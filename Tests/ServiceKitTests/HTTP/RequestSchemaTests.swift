import Foundation
import HTTPTypes
import NIOCore
@testable import ServiceKit
import Testing

/// The request half of `/openapi.json` says exactly what the decoder and the declared rules take: a
/// fuzzer that believes the document sends nothing the service refuses, and everything the document
/// forbids is refused (schemathesis checks both against the real services in `apitests/`).
struct RequestSchemaTests {
    struct Line: Codable, Sendable {
        var productId: String
        var quantity: Int
    }

    struct Address: Codable, Sendable {
        var city: String
        var country: String
        var state: String?
    }

    struct Shipment: Codable, Sendable, ValidatedBody {
        var orderId: String
        var lines: [Line]
        var shipTo: Address?
        var status: String
        var final: Bool?
        var note: String?

        static let rules: [FieldRule<Self>] = [
            .uuid("orderId", \.orderId),
            .items("lines", \.lines, count: 1...3, distinct: true),
            .each("lines", \.lines, [.uuid("productId", \.productId), .integer("quantity", \.quantity, 1...9)]),
            .nested("shipTo", \.shipTo, [.text("country", \.country, length: 2...2, pattern: "[A-Z]{2}")]),
            .oneOf("status", \.status, ["SENT", "FAILED"]),
            .only("final", given: { $0.final != nil }, when: "status", is: "FAILED") { $0.status == "FAILED" },
        ]

        static let example = Shipment(orderId: "0193a5c2-3333-7b3a-9f10-3c2b1a0d9e8f",
                                      lines: [Line(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", quantity: 2)],
                                      shipTo: Address(city: "Leeds", country: "GB", state: "Yorkshire"), status: "FAILED", final: true, note: nil)
    }

    struct Change: Codable, Sendable, ValidatedBody {
        var version: Int
        var name: String?
        var enabled: Bool?

        static let rules: [FieldRule<Self>] = [
            .integer("version", \.version, 1...99),
            .changesOneOf(["name", "enabled"]) { $0.name != nil || $0.enabled != nil },
        ]
        static let nullIsAbsent = false
        static let example = Change(version: 1, name: "x", enabled: true)
    }

    private func requestSchema(_ example: any Encodable & Sendable) throws -> JSONValue {
        let document = OpenAPIDocument(title: "t")
        document.add(method: .post, path: "/things", doc: OperationDoc("Create", tag: "t", request: example))
        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        return try #require(root["paths"]?["/things"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"])
    }

    private func problems<Body: ValidatedBody>(_ type: Body.Type, _ json: String) -> [String: String] {
        do {
            _ = try FieldDecoding.decodeBody(Body.self, body: ByteBuffer(string: json), contentType: "application/json") { _ in [] }
            return [:]
        } catch let error as APIError {
            return Dictionary(error.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        } catch {
            return ["?": "\(error)"]
        }
    }

    @Test func nestedObjectsAndArrayElementsStateTheirRequiredMembersAndRules() throws {
        let schema = try requestSchema(Shipment.example)
        #expect(schema["required"] == ["lines", "orderId", "status"])
        let line = try #require(schema["properties"]?["lines"]?["items"])
        #expect(line["required"] == ["productId", "quantity"])
        #expect(line["properties"]?["quantity"]?["maximum"] == 9)
        #expect(line["properties"]?["productId"]?["format"] == "uuid")
        #expect(schema["properties"]?["lines"]?["uniqueItems"] == true)
        #expect(schema["properties"]?["shipTo"]?["required"] == ["city", "country"])
        #expect(schema["properties"]?["shipTo"]?["properties"]?["country"]?["pattern"] != nil)
        // The rule on `final` is the body's: absent, null, or with status FAILED.
        #expect(schema["anyOf"]?.arrayValue?.count == 3)
    }

    @Test func optionalMembersAcceptNullWhenTheBodyReadsNullAsAbsent() throws {
        let schema = try requestSchema(Shipment.example)
        #expect(schema["properties"]?["shipTo"]?["type"] == ["object", "null"])
        #expect(schema["properties"]?["shipTo"]?["properties"]?["state"]?["type"] == ["string", "null"])
        // Absent from the example: the type comes from the rule, null included.
        #expect(schema["properties"]?["note"] == nil)
        #expect(problems(Shipment.self, #"{"orderId":"0193a5c2-3333-7b3a-9f10-3c2b1a0d9e8f","lines":[{"productId":"0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f","quantity":1}],"status":"SENT","shipTo":null,"final":null}"#) == [:])

        let change = try requestSchema(Change.example)
        #expect(change["properties"]?["name"]?["type"] == "string")
        #expect(change["anyOf"] == [["required": ["name"]], ["required": ["enabled"]]])
    }

    @Test func integersTheTypeCannotHoldAreOutsideTheDocument() throws {
        let schema = try requestSchema(Change.example)
        #expect(schema["properties"]?["version"]?["maximum"] == 99)
        let plain = try requestSchema(Line(productId: "p", quantity: 1))
        #expect(plain["properties"]?["quantity"]?["maximum"] == .integer(Int64.max))
        #expect(plain["properties"]?["quantity"]?["minimum"] == .integer(Int64.min))
    }

    @Test func theNestedRulesAreEnforcedWhereTheDocumentStatesThem() {
        let good = #"{"orderId":"0193A5C2-3333-7B3A-9F10-3C2B1A0D9E8F","lines":[{"productId":"0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f","quantity":9}],"status":"FAILED","final":true}"#
        #expect(problems(Shipment.self, good) == [:])
        let bad = #"{"orderId":"nope","lines":[{"productId":"x","quantity":0},{"productId":"0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f","quantity":10}],"shipTo":{"city":"Leeds","country":"gb"},"status":"SENT","final":false}"#
        #expect(problems(Shipment.self, bad) == [
            "orderId": "must be a UUID", "lines[0].productId": "must be a UUID", "lines[0].quantity": "must be between 1 and 9",
            "lines[1].quantity": "must be between 1 and 9", "shipTo.country": "must match [A-Z]{2}",
            "final": "is allowed only with status FAILED",
        ])
        #expect(problems(Change.self, #"{"version":1}"#) == ["body": "must change name or enabled"])
    }

    @Test func queryParametersAndHeadersStateTheirConstraints() throws {
        let document = OpenAPIDocument(title: "t")
        document.add(method: .get, path: "/things", doc: OperationDoc("List", tag: "t", query: [
            .oneOf("sort", ["new", "old"], "order"), .list("status", of: ["A", "B"], "statuses"),
            .uuid("owner", "an owner", required: true), .string("cursor", "where", length: 1...10),
        ], headers: [IdempotencyKey.documented(required: true)]))
        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        let parameters = try #require(root["paths"]?["/things"]?["get"]?["parameters"]?.arrayValue)
        func parameter(_ name: String) -> JSONValue? { parameters.first { $0["name"] == .string(name) } }
        #expect(parameter("sort")?["schema"]?["enum"] == ["new", "old"])
        #expect(parameter("status")?["schema"]?["pattern"] == "^(?:(?:A|B)(?:,(?:A|B))*)$")
        #expect(parameter("owner")?["required"] == true && parameter("owner")?["schema"]?["format"] == "uuid")
        #expect(parameter("cursor")?["schema"]?["minLength"] == 1)
        #expect(parameter("Idempotency-Key")?["in"] == "header" && parameter("Idempotency-Key")?["required"] == true)
    }

    /// The documented pattern of `Idempotency-Key` and `IdempotencyKey.parse` take the same keys.
    @Test func theIdempotencyKeyPatternIsWhatTheParserTakes() throws {
        let header = IdempotencyKey.documented(required: true)
        let regex = try NSRegularExpression(pattern: "^(?:\(header.pattern))$")
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"ab1 -"\\é"#)
        var samples = ["abc", "a b", #""a b""#, #""a\"b""#, #""a\\b""#, #""a\b""#, #"a"b"#, #"a\b"#, #""""#, #"""#, "\"abc", "x",
                       String(repeating: "k", count: 255), String(repeating: "k", count: 256),
                       "\"" + String(repeating: "k", count: 255) + "\"", "\"" + String(repeating: "k", count: 256) + "\""]
        for _ in 0..<2_000 {
            let length = Int.random(in: 1...6, using: &generator)
            samples.append(String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" }))
        }
        for key in samples {
            // HTTP trims spaces at either end of a field value before the service sees it.
            let sent = key.trimmingCharacters(in: .whitespaces)
            guard !sent.isEmpty else { continue }
            let documented = regex.firstMatch(in: sent, range: NSRange(sent.startIndex..., in: sent)) != nil
            let parsed = (try? IdempotencyKey.parse(HTTPFields([HTTPField(name: .idempotencyKey, value: sent)]))) != nil
            #expect(documented == parsed, "\(sent): documented \(documented), parsed \(parsed)")
        }
    }

    /// `Allow` on a 405 names the methods of the route the path really resolves to: a literal segment
    /// beats a parameter, so `/inventory/adjustments` is not also `GET /inventory/:productId`.
    @Test func allowNamesTheMethodsOfTheMostSpecificRoute() {
        let table = RouteTable()
        table.add(.post, "/inventory/adjustments")
        table.add(.get, "/inventory/:productId")
        table.add(.put, "/inventory/:productId")
        table.add(.get, "/orders/:id")
        table.add(.post, "/orders/:orderId")
        #expect(table.methods(matching: "/inventory/adjustments") == [.post])
        #expect(Set(table.methods(matching: "/inventory/p-1")) == [.get, .put])
        #expect(Set(table.methods(matching: "/orders/1")) == [.get, .post])
        #expect(table.methods(matching: "/nothing/here").isEmpty)
    }
}
