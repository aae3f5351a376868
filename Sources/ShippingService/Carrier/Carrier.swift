import Contracts
import Foundation

/// What shipping asks of a carrier: a label for a parcel. The simulated carrier answers at once; a real
/// carrier's adapter would sit behind the same interface.
///
/// `createLabel` is called inside the database transaction that records the shipment (the command
/// consumer's handler is synchronous and transactional), so it must answer without waiting on I/O. An
/// adapter for a remote carrier would instead record the shipment `PENDING`, call the carrier from a
/// background job, and record the label (or the refusal) in a second transaction.
public protocol Carrier: Sendable {
    /// The carrier's code as shown to clients (`SIMCARRIER`).
    var name: String { get }
    func createLabel(_ request: LabelRequest) -> LabelOutcome
}

/// The parcel a label is asked for.
public struct LabelRequest: Sendable, Equatable {
    public var shipmentId: String
    public var orderId: String
    public var method: ShippingMethod
    public var shipTo: AddressSnapshot
    public var lines: [ProductQuantity]
    public var requestedAt: Date
}

/// A label the carrier created.
public struct Label: Sendable, Equatable {
    public var trackingNumber: String
    public var cost: Money
    public var estimatedDeliveryAt: Date
    /// Where the carrier says the label was made (the first tracking event's location).
    public var location: String?

    public init(trackingNumber: String, cost: Money, estimatedDeliveryAt: Date, location: String?) {
        self.trackingNumber = trackingNumber
        self.cost = cost
        self.estimatedDeliveryAt = estimatedDeliveryAt
        self.location = location
    }
}

public enum LabelOutcome: Sendable, Equatable {
    case created(Label)
    /// No label. `retryable == false`: asking again will not help (the saga's C9 path).
    case refused(reason: String, detail: String, retryable: Bool)
}
