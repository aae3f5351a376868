import Contracts
import Foundation

/// One decision being built: the handlers change `order` and append commands, events and statuses, and
/// `finish` turns it into a `SagaDecision`. Keeping the bookkeeping here lets each handler read as the
/// transition it implements.
struct SagaDraft {
    let original: SagaOrder
    var order: SagaOrder
    let now: Date
    let settings: SagaSettings
    var entered: [SagaDecision.Step] = []
    var commands: [SagaCommand] = []
    var events: [OrderEvent] = []
    var deadline: SagaDecision.DeadlineChange = .keep
    var alert: String?

    init(order: SagaOrder, now: Date, settings: SagaSettings) {
        original = order
        self.order = order
        self.now = now
        self.settings = settings
    }

    var status: OrderStatus { order.status }
    var facts: SagaFacts {
        get { order.facts }
        set { order.facts = newValue }
    }

    /// Moves to `status`; the step's reason is the cancel reason while there is one.
    mutating func enter(_ status: OrderStatus, reason: String? = nil) {
        order.status = status
        entered.append(SagaDecision.Step(status, reason: reason ?? order.cancelReason?.rawValue))
    }

    mutating func send(_ command: SagaCommand) { commands.append(command) }
    mutating func emit(_ event: OrderEvent) { events.append(event) }

    mutating func arm(_ kind: SagaDeadline.Kind, after interval: TimeInterval) {
        deadline = .set(SagaDeadline(kind, dueAt: now.addingTimeInterval(interval)))
    }

    mutating func raise(_ message: String) {
        alert = alert.map { "\($0); \(message)" } ?? message
    }

    /// A logged no-op: the original order, nothing sent.
    func ignore(_ reason: String) -> SagaDecision {
        SagaDecision(order: original, outcome: .ignored("\(reason) (\(original.status.rawValue))"))
    }

    /// A request the current state refuses (HTTP 409): the original order, nothing sent.
    func refuse(_ message: String) -> SagaDecision {
        SagaDecision(order: original, outcome: .refused(message))
    }

    /// The decision. Leaving a status drops its timer unless the handler armed a new one (each status has
    /// at most one kind of deadline). A draft that changed nothing is a no-op (a duplicate fact).
    func finish(_ note: String) -> SagaDecision {
        var deadline = deadline
        if !entered.isEmpty, deadline == .keep { deadline = .clear }
        if entered.isEmpty, order == original, commands.isEmpty, events.isEmpty, deadline == .keep {
            return ignore("nothing new: \(note)")
        }
        let outcome: SagaDecision.Outcome = entered.isEmpty
            ? .recorded(note) : .transition(from: original.status, to: order.status)
        return SagaDecision(order: order, entered: entered, commands: commands, events: events, deadline: deadline,
                            outcome: outcome, alert: alert)
    }
}
