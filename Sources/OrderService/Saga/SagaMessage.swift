import Contracts
import Foundation

/// Everything that can move an order: a participant's reply or fact (DOMAIN.md §4.2), a customer's or an
/// operator's request, or a deadline that fired.
public enum SagaMessage: Sendable, Equatable {
    // inventory.stock.v1
    case stockReserved(StockReserved)
    case stockReservationRejected(StockReservationRejected)
    case stockReservationExtended(StockReservationExtended)
    case stockReservationReleased(StockReservationReleased)
    case stockReservationExpired(StockReservationExpired)
    case stockCommitted(StockCommitted)
    case stockCommitFailed(StockCommitFailed)
    case stockReturned(StockReturned)
    // payment.payment.v1
    case paymentInitiated(PaymentInitiated)
    case paymentSucceeded(PaymentSucceeded)
    case paymentFailed(PaymentFailed)
    case paymentVoided(PaymentVoided)
    case paymentRefunded(PaymentRefunded)
    case refundFailed(RefundFailed)
    // shipping.shipment.v1
    case shipmentCreated(ShipmentCreated)
    case shipmentCreationFailed(ShipmentCreationFailed)
    case shipmentLabelCreated(ShipmentLabelCreated)
    case shipmentDispatched(ShipmentDispatched)
    case shipmentDelivered(ShipmentDelivered)
    case shipmentDeliveryFailed(ShipmentDeliveryFailed)
    case shipmentReturnedToSender(ShipmentReturnedToSender)
    case shipmentCancelled(ShipmentCancelled)
    case shipmentCancellationRejected(ShipmentCancellationRejected)
    // HTTP
    /// `POST /orders/{id}/cancel` by the owner.
    case customerCancel(reason: String?)
    /// `POST /orders/{id}/return` by the owner.
    case customerReturn(reason: String)
    /// `POST /orders/{id}/return/receive` by an admin.
    case returnReceived
    /// An operator cleared the `stuck` flag after fixing the cause (C14 redrive).
    case operatorRedrive
    /// The order's deadline of this kind is due.
    case deadline(SagaDeadline.Kind)

    /// A short name for logs and the table test.
    public var name: String {
        switch self {
        case .stockReserved: "StockReserved"
        case .stockReservationRejected: "StockReservationRejected"
        case .stockReservationExtended: "StockReservationExtended"
        case .stockReservationReleased: "StockReservationReleased"
        case .stockReservationExpired: "StockReservationExpired"
        case .stockCommitted: "StockCommitted"
        case .stockCommitFailed: "StockCommitFailed"
        case .stockReturned: "StockReturned"
        case .paymentInitiated: "PaymentInitiated"
        case .paymentSucceeded: "PaymentSucceeded"
        case .paymentFailed: "PaymentFailed"
        case .paymentVoided: "PaymentVoided"
        case .paymentRefunded: "PaymentRefunded"
        case .refundFailed: "RefundFailed"
        case .shipmentCreated: "ShipmentCreated"
        case .shipmentCreationFailed: "ShipmentCreationFailed"
        case .shipmentLabelCreated: "ShipmentLabelCreated"
        case .shipmentDispatched: "ShipmentDispatched"
        case .shipmentDelivered: "ShipmentDelivered"
        case .shipmentDeliveryFailed: "ShipmentDeliveryFailed"
        case .shipmentReturnedToSender: "ShipmentReturnedToSender"
        case .shipmentCancelled: "ShipmentCancelled"
        case .shipmentCancellationRejected: "ShipmentCancellationRejected"
        case .customerCancel: "customer cancel"
        case .customerReturn: "customer return"
        case .returnReceived: "return received"
        case .operatorRedrive: "operator redrive"
        case .deadline(let kind): "deadline \(kind.rawValue)"
        }
    }
}
