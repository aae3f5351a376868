import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
@testable import ServiceKit
import Testing

/// Every row of API.md §1.7's table, through HTTP in process against a real SQLite file.
@Suite struct IdempotencyKeyRulesTests {
    @Test func missingEmptyTooLongOrNonASCIIKeyIs400BeforeTheBody() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        let tooLong = String(repeating: "k", count: 256)
        try await fixture.withRouter { client in
            for path in ["/public/orders", "/payments"] {
                for key in [nil, "", tooLong, "clé", "a\tb", "\"\""] as [String?] {
                    var headers = try await fixture.headers(key: nil)
                    if let key { headers.append(HTTPField(name: .idempotencyKey, value: key)) }
                    // A body that is not even JSON: the key is judged first.
                    let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: "{not json"))
                    #expect(response.status == .badRequest, "\(path) key \(key ?? "nil")")
                    #expect(try EnvelopeBody(response).errors?.first?.field == "Idempotency-Key", "\(path) key \(key ?? "nil")")
                }
                // Sent twice.
                var twice = try await fixture.headers(key: "a")
                twice.append(HTTPField(name: .idempotencyKey, value: "b"))
                let response = try await client.execute(uri: path, method: .post, headers: twice, body: IdempotencyFixture.body())
                #expect(response.status == .badRequest)
            }
            // 255 printable characters are a valid key.
            let response = try await client.execute(uri: "/public/orders", method: .post,
                                                    headers: try await fixture.headers(key: String(repeating: "k", count: 255)),
                                                    body: IdempotencyFixture.body())
            #expect(response.status == .created)
        }
        #expect(try await fixture.effects() == 1)
        #expect(try await fixture.keyRows().count == 1)
    }

    @Test(arguments: ["/public/orders", "/payments"])
    func newKeyIsProcessedAndACompletedKeyReplaysByteForByte(path: String) async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            let headers = try await fixture.headers(key: "order-1")
            let first = try await client.execute(uri: path, method: .post, headers: headers, body: IdempotencyFixture.body())
            #expect(first.status == .created)
            #expect(first.headers[.idempotentReplayed] == nil)
            let location = try #require(first.headers[.location])
            // Same body with other whitespace and key order: the same request.
            let reordered = ByteBuffer(string: "{ \"quantity\" : 1,\n  \"item\": \"book\" }")
            for body in [IdempotencyFixture.body(), reordered] {
                let again = try await client.execute(uri: path, method: .post, headers: headers, body: body)
                #expect(again.status == .created)
                #expect(again.headers[.idempotentReplayed] == "true")
                #expect(again.headers[.location] == location)
                #expect(again.headers[.contentType] == first.headers[.contentType])
                #expect(Array(buffer: again.body) == Array(buffer: first.body))
            }
        }
        #expect(try await fixture.effects() == 1)
        let row = try #require(try await fixture.keyRows().first)
        #expect(row.state == "COMPLETED")
        #expect(row.responseCode == 201)
    }

    @Test(arguments: ["/public/orders", "/payments"])
    func sameKeyInFlightIs409WithRetryAfter(path: String) async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        // A request with this key is running (claimed, not completed).
        let outcome = try await fixture.idempotency.claim(scope: "POST \(path)", principal: "anonymous", key: "k1", body: IdempotencyFixture.body())
        guard case .proceed = outcome else { Issue.record("expected a claim"); return }
        try await fixture.withRouter { client in
            let response = try await client.execute(uri: path, method: .post, headers: try await fixture.headers(key: "k1"),
                                                    body: IdempotencyFixture.body())
            #expect(response.status == .conflict)
            #expect(response.headers[.retryAfter] == "1")
            #expect(try EnvelopeBody(response).errors?.first?.field == "Idempotency-Key")
        }
        #expect(try await fixture.effects() == 0)
    }

    @Test func sameKeyWithAnotherBodyIs422WhetherInFlightOrCompleted() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        _ = try await fixture.idempotency.claim(scope: "POST /payments", principal: "anonymous", key: "busy", body: IdempotencyFixture.body())
        try await fixture.withRouter { client in
            let completed = try await client.execute(uri: "/public/orders", method: .post, headers: try await fixture.headers(key: "done"),
                                                     body: IdempotencyFixture.body())
            #expect(completed.status == .created)
            for (path, key) in [("/public/orders", "done"), ("/payments", "busy")] {
                // An added field is another request.
                let changed = ByteBuffer(string: #"{"item":"book","quantity":1,"giftWrap":true}"#)
                let response = try await client.execute(uri: path, method: .post, headers: try await fixture.headers(key: key), body: changed)
                #expect(response.status == .unprocessableContent, "\(path)")
                #expect(try EnvelopeBody(response).errors?.first?.field == "Idempotency-Key")
            }
        }
        #expect(try await fixture.effects() == 1)
    }

    /// A 4xx (validation or business) or 5xx stores nothing: the key is free for the corrected request,
    /// and the failed attempt's business write rolled back.
    @Test(arguments: ["/public/orders", "/payments"])
    func failedRequestsFreeTheKey(path: String) async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            let headers = try await fixture.headers(key: "retry-me")
            let invalid = try await client.execute(uri: path, method: .post, headers: headers, body: IdempotencyFixture.body(quantity: 0))
            #expect(invalid.status == .badRequest)
            #expect(try EnvelopeBody(invalid).errors?.first?.field == "quantity")
            let refused = try await client.execute(uri: path, method: .post, headers: headers, body: IdempotencyFixture.body(quantity: 99))
            #expect(refused.status == .unprocessableContent)
            let crashed = try await client.execute(uri: path, method: .post, headers: headers, body: IdempotencyFixture.body("boom"))
            #expect(crashed.status == .internalServerError)
            let malformed = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: "[1,2"))
            #expect(malformed.status == .badRequest)
            // Every bad field at once, as `Request.decodeJSON` answers.
            let mistyped = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: #"{"item":5}"#))
            #expect(mistyped.status == .badRequest)
            #expect(Set(try EnvelopeBody(mistyped).errors?.map(\.field) ?? []) == ["item", "quantity"])
            var textHeaders = headers
            textHeaders[.contentType] = "text/plain"
            let notJSON = try await client.execute(uri: path, method: .post, headers: textHeaders, body: IdempotencyFixture.body())
            #expect(notJSON.status == .unsupportedMediaType)
            #expect(try await fixture.keyRows().isEmpty)
            #expect(try await fixture.effects() == 0)
            // The same key now works, with yet another body.
            let fixed = try await client.execute(uri: path, method: .post, headers: headers, body: IdempotencyFixture.body(quantity: 2))
            #expect(fixed.status == .created)
            #expect(fixed.headers[.idempotentReplayed] == nil)
        }
        #expect(try await fixture.effects() == 1)
    }

    @Test func optionalKeyRunsEveryKeylessRequestAndDeduplicatesKeyedOnes() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/refunds", method: .post, headers: try await fixture.headers(key: nil),
                                                        body: IdempotencyFixture.body())
                #expect(response.status == .created)
            }
            for key in ["r1", "r1", "\"r1\""] {
                let response = try await client.execute(uri: "/refunds", method: .post, headers: try await fixture.headers(key: key),
                                                        body: IdempotencyFixture.body())
                #expect(response.status == .created)
            }
            let bad = try await client.execute(uri: "/refunds", method: .post, headers: try await fixture.headers(key: ""),
                                               body: IdempotencyFixture.body())
            #expect(bad.status == .badRequest)
        }
        // Two keyless, one keyed (the quoted Structured Field form is the same key).
        #expect(try await fixture.effects() == 3)
        #expect(try await fixture.keyRows().count == 1)
    }
}
