import Foundation
import NIOCore
@testable import ServiceKit
import Testing

/// One declaration of a body's field rules drives both the 400 a client gets and the constraints the
/// OpenAPI document states, so the two cannot disagree.
struct FieldRulesTests {
    struct NewItem: Codable, Sendable, ValidatedBody {
        var sku: String
        var name: String
        var note: String?
        var status: String?
        var quantity: Int
        var tags: [String]?
        var roles: [String]?

        static let rules: [FieldRule<Self>] = [
            .text("sku", \.sku, length: 1...8, pattern: "[A-Z0-9-]+", patternMessage: "must be capitals, digits or -"),
            .text("name", \.name, length: 1...20),
            .text("note", \.note, length: 0...5),
            .oneOf("status", \.status, ["ACTIVE", "DRAFT"]),
            .integer("quantity", \.quantity, 1...99),
            .items("tags", \.tags, count: 0...2),
            .subset("roles", \.roles, of: ["a", "b"]),
        ]
        static let example = NewItem(sku: "AB-1", name: "Thing", note: nil, status: "ACTIVE", quantity: 2, tags: ["x"], roles: ["a"])
    }

    private func decode(_ json: String) throws -> NewItem {
        try FieldDecoding.decodeBody(NewItem.self, body: ByteBuffer(string: json), contentType: "application/json") { item in
            // A route's own rule for a field the declaration already covers is not reported twice.
            item.quantity == 13 ? [FieldError(field: "quantity", message: "is unlucky"), FieldError(field: "name", message: "route says no")] : []
        }
    }

    private func fields(of error: any Error) -> [String: String] {
        guard let error = error as? APIError else { return [:] }
        return Dictionary(error.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func aBodyThatKeepsTheRulesIsAccepted() throws {
        let item = try decode(#"{"sku":"AB-1","name":"Thing","quantity":99,"tags":["a","b"],"status":"DRAFT"}"#)
        #expect(item.quantity == 99 && item.status == "DRAFT")
    }

    @Test func everyBrokenRuleIsReportedAtOnce() {
        #expect {
            _ = try decode(#"{"sku":"ab 1","name":"   ","note":"too long","status":"GONE","quantity":100,"tags":["a","b","c"],"roles":["a","a"]}"#)
        } throws: { error in
            let problems = fields(of: error)
            return problems == ["sku": "must be capitals, digits or -", "name": "must not be blank", "note": "must be at most 5 characters",
                                "status": "must be one of ACTIVE, DRAFT", "quantity": "must be between 1 and 99",
                                "tags": "must have between 0 and 2 items", "roles": "must be distinct values among a, b"]
        }
        // Control characters and an empty required text. The route's message about a field its declared rule
        // already refused is dropped ("name"); about a field that kept its declared rule, it stands.
        #expect {
            _ = try decode(#"{"sku":"","name":"a\u0000b","quantity":13}"#)
        } throws: { error in
            fields(of: error) == ["sku": "must not be empty", "name": "must not contain control characters", "quantity": "is unlucky"]
        }
        #expect {
            _ = try decode(#"{"sku":"A","name":"ok","quantity":13}"#)
        } throws: { error in
            fields(of: error) == ["name": "route says no", "quantity": "is unlucky"]
        }
    }

    @Test func theDocumentStatesTheSameRules() throws {
        let document = OpenAPIDocument(title: "items")
        document.add(method: .post, path: "/items", doc: OperationDoc("Create", tag: "items", request: NewItem.example))
        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        let schema = try #require(root["paths"]?["/items"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"])
        let properties = try #require(schema["properties"])
        #expect(properties["sku"]?["minLength"] == 1 && properties["sku"]?["maxLength"] == 8)
        // A field's own pattern comes with the checks every text has: no control characters, not blank.
        #expect(properties["sku"]?["pattern"] == #"^(?=[^\x00-\x1F\x7F-\x9F]*$)(?=[\s\S]*\S)(?:[A-Z0-9-]+)$"#)
        #expect(properties["name"]?["pattern"] == #"^(?=[\s\S]*\S)[^\x00-\x1F\x7F-\x9F]*$"#)
        #expect(properties["note"]?["pattern"] == #"^[^\x00-\x1F\x7F-\x9F]*$"#)
        #expect(properties["roles"]?["items"]?["enum"] == ["a", "b"] && properties["roles"]?["uniqueItems"] == true)
        // An optional member may be null (the decoder reads it as absent), so null is among its values.
        #expect(properties["status"]?["enum"] == ["ACTIVE", "DRAFT", .null])
        #expect(properties["status"]?["type"] == ["string", "null"])
        #expect(properties["quantity"]?["minimum"] == 1 && properties["quantity"]?["maximum"] == 99)
        #expect(properties["tags"]?["maxItems"] == 2)
        #expect(schema["required"] == ["name", "quantity", "sku"])
    }
}
