@testable import InventoryService
import Testing

/// The warehouse choice of API.md §5, without a database.
struct AllocationTests {
    typealias Candidate = Allocation.Candidate

    @Test func theFirstWarehouseThatCoversTheWholeLineWins() {
        let candidates = [Candidate(warehouseId: "A", available: 2, version: 1), Candidate(warehouseId: "B", available: 5, version: 7),
                          Candidate(warehouseId: "C", available: 9, version: 3)]
        #expect(Allocation.plan(quantity: 4, from: candidates) == [.init(warehouseId: "B", quantity: 4, expectedVersion: 7)])
        #expect(Allocation.plan(quantity: 2, from: candidates) == [.init(warehouseId: "A", quantity: 2, expectedVersion: 1)])
    }

    @Test func aLineNoWarehouseCoversIsSplitInPriorityOrder() {
        let candidates = [Candidate(warehouseId: "A", available: 2, version: 1), Candidate(warehouseId: "B", available: 0, version: 2),
                          Candidate(warehouseId: "C", available: 3, version: 3), Candidate(warehouseId: "D", available: 4, version: 4)]
        #expect(Allocation.plan(quantity: 7, from: candidates) == [
            .init(warehouseId: "A", quantity: 2, expectedVersion: 1), .init(warehouseId: "C", quantity: 3, expectedVersion: 3),
            .init(warehouseId: "D", quantity: 2, expectedVersion: 4),
        ])
    }

    @Test func notEnoughAnywhereIsNoPlan() {
        let candidates = [Candidate(warehouseId: "A", available: 2, version: 1), Candidate(warehouseId: "B", available: 3, version: 1)]
        #expect(Allocation.plan(quantity: 6, from: candidates) == nil)
        #expect(Allocation.plan(quantity: 1, from: []) == nil)
    }
}
