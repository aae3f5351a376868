import AsyncHTTPClient
import Foundation
import GRDB
import HTTPTypes
import NIOCore
import NIOHTTP1
@testable import ServiceKit
import Testing

/// The race the insert-first design exists for (DOMAIN.md §4.6; eShop's check-then-insert lost it):
/// many copies of one request at once, over real sockets, against a real SQLite file.
@Suite struct IdempotencyConcurrencyTests {
    struct Answer: Sendable {
        var status: Int
        var replayed: String?
        var retryAfter: String?
        var body: [UInt8]
    }

    @Test func twentyConcurrentRequestsWithOneKeyHaveOneEffect() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        let token = try await fixture.issuer.token(subject: "user-1")
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 20
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let answers: [Answer]
        do {
            answers = try await serveLive(fixture.app) { port in
                try await withThrowingTaskGroup(of: Answer.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/orders")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.headers.add(name: "Authorization", value: "Bearer \(token)")
                            request.headers.add(name: "Idempotency-Key", value: "8e03978e-40d5-43e8-bc93-6894a57f9324")
                            request.body = .bytes(IdempotencyFixture.body("lamp", quantity: 2))
                            let response = try await client.execute(request, timeout: .seconds(60))
                            let body = try await response.body.collect(upTo: 1 << 20)
                            return Answer(status: Int(response.status.code), replayed: response.headers.first(name: "Idempotent-Replayed"),
                                          retryAfter: response.headers.first(name: "Retry-After"), body: Array(buffer: body))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        #expect(answers.count == 20)
        #expect(try await fixture.effects() == 1)
        let row = try #require(try await fixture.keyRows().first)
        #expect(row.state == "COMPLETED")
        let stored = Array(try #require(row.responseBody))
        let executed = answers.filter { $0.status == 201 && $0.replayed == nil }
        let replayed = answers.filter { $0.status == 201 && $0.replayed == "true" }
        let inFlight = answers.filter { $0.status == 409 && $0.retryAfter == "1" }
        // Exactly one request ran; every other answer is the stored one or "still in flight".
        #expect(executed.count == 1)
        #expect(executed.count + replayed.count + inFlight.count == 20, "\(answers.map(\.status))")
        #expect((executed + replayed).allSatisfy { $0.body == stored })
        print("idempotency race: 1 executed, \(replayed.count) replayed, \(inFlight.count) × 409")
    }
}
