import Contracts
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// Reads one order from the order service (`GET /orders/{id}` with a client-credentials token holding
/// `order.read`): the read-through of API.md §1.9 for when the payable-order projection lags.
struct OrderServiceClient: Sendable {
    /// What the order service said.
    enum Answer: Sendable, Equatable {
        case found(PayableOrder)
        /// The order service does not know the order.
        case unknown
    }

    let baseURL: String
    let token: ClientCredentialsToken
    let http: ServiceHTTPClient

    /// - Throws: when the order service or IAM cannot be reached or answers something unusable; callers
    ///   then answer from the projection.
    func order(id: String) async throws -> Answer {
        guard let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) else {
            return .unknown
        }
        let url = baseURL + "/orders/" + escaped
        var reply = try await http.execute(.GET, url, headers: ["Authorization": "Bearer \(try await token.token())"])
        if reply.status == 401 {
            // The token expired early or IAM rotated keys: one fresh token, one more try.
            await token.invalidate()
            reply = try await http.execute(.GET, url, headers: ["Authorization": "Bearer \(try await token.token())"])
        }
        switch reply.status {
        case 200:
            guard let body = try? JSONDecoder().decode(Envelope.self, from: Data(reply.body.readableBytesView)) else {
                throw ServiceCallError.unavailable(url: url, reason: "the order's JSON is not the expected shape")
            }
            let order = body.data
            let currency: Currency
            do { currency = try Currency(code: order.total.currency) } catch {
                throw ServiceCallError.unavailable(url: url, reason: "the order's currency \(order.total.currency) is unknown")
            }
            return .found(PayableOrder(orderId: order.id, userId: order.userId,
                                       total: Money(amountMinor: order.total.amountMinor, currency: currency),
                                       status: order.status, paymentDueBy: order.paymentDueBy.flatMap(Timestamp.parse)))
        case 404:
            return .unknown
        default:
            throw ServiceCallError.unavailable(url: url, reason: "HTTP \(reply.status)")
        }
    }

    /// The part of the order service's `Order` (API.md §4.2) payment reads.
    private struct Envelope: Decodable {
        var data: OrderBody
    }

    private struct OrderBody: Decodable {
        var id: String
        var userId: String
        var status: String
        var total: MoneyBody
        var paymentDueBy: String?
    }

    private struct MoneyBody: Decodable {
        var amountMinor: Int64
        var currency: String
    }
}
