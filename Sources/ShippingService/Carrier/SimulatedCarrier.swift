import Contracts
import Foundation

/// The carrier of v1: creates every label at once, priced and dated by method (`STANDARD` 499 minor units,
/// delivery in 3 days; `EXPRESS` 999, 1 day, in `SHOP_CURRENCY`), and refuses one destination,
/// `refusedCountry`, so that a final `ShipmentCreationFailed` can be produced on purpose.
public struct SimulatedCarrier: Carrier {
    /// Antarctica (ISO-3166-1 `AQ`): the one country the simulated carrier never delivers to.
    public static let refusedCountry = "AQ"
    public static let code = "SIMCARRIER"

    public let currency: Currency
    public var name: String { Self.code }

    public init(currency: Currency) {
        self.currency = currency
    }

    public static func cost(of method: ShippingMethod) -> Int64 {
        switch method {
        case .standard: 499
        case .express: 999
        }
    }

    public static func transitDays(of method: ShippingMethod) -> Int {
        switch method {
        case .standard: 3
        case .express: 1
        }
    }

    public func createLabel(_ request: LabelRequest) -> LabelOutcome {
        if request.shipTo.country == Self.refusedCountry {
            return .refused(reason: ShipmentCreationFailed.destinationRefused,
                            detail: "\(Self.code) does not deliver to \(request.shipTo.country)", retryable: false)
        }
        let days = TimeInterval(Self.transitDays(of: request.method))
        return .created(Label(trackingNumber: Self.trackingNumber(),
                              cost: Money(amountMinor: Self.cost(of: request.method), currency: currency),
                              estimatedDeliveryAt: request.requestedAt.addingTimeInterval(days * 86_400),
                              location: "\(Self.code) label service"))
    }

    /// `SIM` and 12 random digits (a unique index guards against the one-in-10¹² collision).
    static func trackingNumber() -> String {
        var generator = SystemRandomNumberGenerator()
        return "SIM" + String((0..<12).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
}
