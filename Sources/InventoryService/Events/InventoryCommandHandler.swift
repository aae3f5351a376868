import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// Applies the order saga's commands (`inventory.commands`) inside the consumer runner's transaction, so
/// the effect, its reply in the outbox, the inbox row and the offset commit together: a command delivered
/// twice has one effect. Beyond the inbox, every command is idempotent by order id (a resend with a new
/// event id answers with the first outcome), because the saga resends when a reply is late.
struct InventoryCommandHandler: Sendable {
    let configuration: InventoryConfiguration
    let clock: ServiceClock
    let logger: Logger

    func handle(_ event: ReceivedEvent, _ db: Database) throws {
        let now = clock.now()
        switch event.eventType {
        case ReserveStock.eventType:
            let command = try event.decode(ReserveStock.self)
            try reserve(command, metadata: metadata(event, orderId: command.orderId), now: now, db)
        case ExtendReservation.eventType:
            let command = try event.decode(ExtendReservation.self)
            let seconds = command.extendBySeconds.map { min(max($0, 1), 86_400) } ?? configuration.reservationExtension
            log(command.orderId, event, try InventoryStore.extend(orderId: command.orderId.lowercased(), by: seconds, now: now,
                                                                  metadata: metadata(event, orderId: command.orderId), db))
        case ReleaseStock.eventType:
            let command = try event.decode(ReleaseStock.self)
            log(command.orderId, event, try InventoryStore.release(orderId: command.orderId.lowercased(), reason: command.reason, now: now,
                                                                   metadata: metadata(event, orderId: command.orderId), db))
        case CommitStock.eventType:
            let command = try event.decode(CommitStock.self)
            log(command.orderId, event, try InventoryStore.commit(orderId: command.orderId.lowercased(), now: now,
                                                                  metadata: metadata(event, orderId: command.orderId), db))
        case ReturnStock.eventType:
            let command = try event.decode(ReturnStock.self)
            log(command.orderId, event, try InventoryStore.returnStock(orderId: command.orderId.lowercased(), lines: command.lines,
                                                                       reason: command.reason, now: now,
                                                                       metadata: metadata(event, orderId: command.orderId), db))
        default:
            logger.warning("unknown command on inventory.commands ignored", metadata: ["event_type": "\(event.eventType)", "event_id": "\(event.eventId)"])
        }
    }

    private func reserve(_ command: ReserveStock, metadata: EventMetadata, now: Date, _ db: Database) throws {
        let request = ReservationRequest(orderId: command.orderId, lines: command.lines, ttlSeconds: command.ttlSeconds)
        let problems = request.problems()
        guard problems.isEmpty else {
            // A command the saga can never get right by resending: answer it, so the order cancels.
            logger.warning("invalid ReserveStock rejected", metadata: [
                "order_id": "\(command.orderId)", "problems": "\(problems.map { "\($0.field) \($0.message)" })",
            ])
            try Outbox.enqueue(StockReservationRejected(orderId: command.orderId.lowercased(), reason: "INVALID_REQUEST", lines: [], rejectedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return
        }
        do {
            _ = try InventoryStore.reserve(request, defaultTTL: configuration.reservationTTL, now: now, metadata: metadata,
                                          answerRepeats: true, db)
        } catch InventoryError.reservationLinesDiffer(let orderId) {
            // A saga bug, not a state to act on: the first reservation stands and its reply was sent.
            logger.warning("ReserveStock with other lines than the order's reservation ignored", metadata: ["order_id": "\(orderId)"])
        }
    }

    /// Replies correlate with the order and name the command that caused them.
    private func metadata(_ event: ReceivedEvent, orderId: String) -> EventMetadata {
        EventMetadata(correlationId: orderId.lowercased(), causationId: event.eventId, traceparent: event.traceparent)
    }

    private func log(_ orderId: String, _ event: ReceivedEvent, _ outcome: ReservationCommandOutcome) {
        if case .ignored(let reason) = outcome {
            logger.info("command had nothing to do", metadata: ["order_id": "\(orderId)", "command": "\(event.eventType)", "reason": "\(reason)"])
        }
    }
}
