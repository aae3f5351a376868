import ServiceKit
import ShopTestSupport

extension EnvelopeClient {
    func register(_ service: String, _ body: [String: JSONValue]) async throws -> Answer {
        try await send(.POST, "/services/\(service)/instances", json: .object(body))
    }
}

extension EnvelopeClient.Answer {
    /// `data.instances` of a registry answer.
    var instances: [JSONValue] { data?["instances"]?.arrayValue ?? [] }
}


