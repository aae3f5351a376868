import Foundation
@testable import ServiceKit
import Testing

/// A body with several problems is answered with all of them at once, not only the first one the JSON
/// decoder stops at.
@Suite struct FieldDecodingTests {
    struct Address: Codable, Equatable { var street: String; var zip: String }
    struct Signup: Codable, Equatable {
        var email: String
        var password: String
        var firstName: String
        var age: Int
        var newsletter: Bool?
        var address: Address
    }

    static func problems(_ json: String) throws -> [FieldError] {
        switch try FieldDecoding.decode(Signup.self, from: Data(json.utf8)) {
        case .decoded: return []
        case .invalid(let errors, _): return errors
        }
    }

    @Test func everyMissingAndMistypedFieldIsNamed() throws {
        let errors = try Self.problems(#"{"email":"not-an-email","password":"x","age":"old","newsletter":"yes","address":{"zip":5}}"#)
        #expect(Set(errors.map(\.field)) == ["firstName", "age", "newsletter", "address.street", "address.zip"])
        #expect(errors.first { $0.field == "firstName" }?.message == "is required")
        #expect(errors.first { $0.field == "age" }?.message == "must be an integer")
        #expect(errors.first { $0.field == "address.zip" }?.message == "must be a string")
    }

    @Test func aMissingObjectIsOneProblemNotOnePerMember() throws {
        let errors = try Self.problems(#"{"email":"a@b.co","password":"long enough","firstName":"A","age":3}"#)
        #expect(errors == [FieldError(field: "address", message: "is required")])
    }

    @Test func theStandInValueLetsTheRoutesOwnRulesSpeakToo() throws {
        guard case .invalid(let errors, let standIn) = try FieldDecoding.decode(
            Signup.self, from: Data(#"{"email":"x","password":"y","age":1,"address":{"street":"s","zip":"z"}}"#.utf8)) else {
            Issue.record("expected invalid"); return
        }
        #expect(errors.map(\.field) == ["firstName"])
        #expect(standIn?.email == "x" && standIn?.password == "y" && standIn?.firstName == "")
    }

    @Test func aValidBodyDecodesAndNonObjectsKeepTheDecodersError() throws {
        let valid = #"{"email":"a@b.co","password":"p","firstName":"A","age":3,"address":{"street":"s","zip":"z"}}"#
        guard case .decoded(let value) = try FieldDecoding.decode(Signup.self, from: Data(valid.utf8)) else {
            Issue.record("expected decoded"); return
        }
        #expect(value.firstName == "A")
        #expect(throws: DecodingError.self) { try FieldDecoding.decode(Signup.self, from: Data("[1,2]".utf8)) }
        #expect(throws: DecodingError.self) { try FieldDecoding.decode(Signup.self, from: Data("{not json".utf8)) }
    }

    @Test func arraysAreRepairedByIndex() throws {
        struct Order: Codable { var lines: [Line] }
        struct Line: Codable { var sku: String; var quantity: Int }
        guard case .invalid(let errors, _) = try FieldDecoding.decode(
            Order.self, from: Data(#"{"lines":[{"sku":"a","quantity":1},{"quantity":"two"}]}"#.utf8)) else {
            Issue.record("expected invalid"); return
        }
        #expect(Set(errors.map(\.field)) == ["lines[1].sku", "lines[1].quantity"])
    }
}
