/// Which warehouses a reservation line draws from (API.md §5): the active warehouse with the lowest
/// priority that covers the whole quantity; else the quantity split over the active warehouses in
/// priority order. Pure: the store reads the candidates and applies the plan with conditional updates.
enum Allocation {
    /// A stock row that may give stock, as read.
    struct Candidate: Equatable {
        var warehouseId: String
        var available: Int
        /// The row's version when read; the update applies only if it is unchanged.
        var version: Int
    }

    struct Piece: Equatable {
        var warehouseId: String
        var quantity: Int
        var expectedVersion: Int
    }

    /// The pieces covering `quantity`, or nil when all candidates together have less.
    /// - Parameter candidates: in allocation order (priority, then code), rows of active warehouses.
    static func plan(quantity: Int, from candidates: [Candidate]) -> [Piece]? {
        guard quantity > 0 else { return [] }
        if let whole = candidates.first(where: { $0.available >= quantity }) {
            return [Piece(warehouseId: whole.warehouseId, quantity: quantity, expectedVersion: whole.version)]
        }
        var pieces: [Piece] = []
        var missing = quantity
        for candidate in candidates where candidate.available > 0 {
            let take = min(candidate.available, missing)
            pieces.append(Piece(warehouseId: candidate.warehouseId, quantity: take, expectedVersion: candidate.version))
            missing -= take
            if missing == 0 { return pieces }
        }
        return nil
    }
}
