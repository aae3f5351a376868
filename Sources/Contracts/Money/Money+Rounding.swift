/// Percentages of an amount (tax rates, discounts) in basis points: 1 bp = 0.01 %, so 20 % VAT is 2000 bp
/// and 7.5 % is 750 bp.
///
/// **Rounding mode: half-up, meaning half away from zero** ("commercial rounding", the mode EU VAT
/// rules and most invoicing use): the exact result is rounded to the nearest minor unit, and an exact half
/// goes away from zero. 0.5 cent becomes 1 cent, -0.5 cent becomes -1 cent, 0.49 cent becomes 0. It is the
/// one mode of the system (DOMAIN.md §4.6: "chosen once"); apply it per line, then add the rounded lines.
///
/// The computation is exact integer arithmetic: `amount × bp / 10 000` is split as
/// `(q × 10 000 + r) × bp / 10 000 = q × bp + r × bp / 10 000` with `|r| < 10 000`, so only a result that
/// really does not fit in `Int64` overflows.
extension Money {
    /// The basis points in 100 %.
    public static let basisPointsPerUnit: Int64 = 10_000

    /// `basisPoints` / 10 000 of this amount, rounded half away from zero to a whole minor unit.
    /// `percentage(basisPoints: 2000)` of 129.99 EUR is 26.00 EUR (25.998 rounded).
    public func percentage(basisPoints: Int64) throws(MoneyError) -> Money {
        let operation = "\(basisPoints) bp of \(self)"
        let quotient = amountMinor / Self.basisPointsPerUnit
        let remainder = amountMinor % Self.basisPointsPerUnit // same sign as amountMinor, |r| < 10 000
        let (whole, wholeOverflow) = quotient.multipliedReportingOverflow(by: basisPoints)
        let (scaledRemainder, remainderOverflow) = remainder.multipliedReportingOverflow(by: basisPoints)
        guard !wholeOverflow, !remainderOverflow else { throw .overflow(operation: operation) }
        var fraction = scaledRemainder / Self.basisPointsPerUnit
        let leftover = scaledRemainder % Self.basisPointsPerUnit // the part below one minor unit
        // Half away from zero: |leftover| ≥ 5 000 rounds the magnitude up. `leftover` has the sign of the
        // exact result's fractional part (it is the sign of scaledRemainder).
        if leftover.magnitude * 2 >= UInt64(Self.basisPointsPerUnit) {
            fraction += leftover < 0 ? -1 : 1
        }
        let (result, overflow) = whole.addingReportingOverflow(fraction)
        guard !overflow else { throw .overflow(operation: operation) }
        return Money(amountMinor: result, currency: currency)
    }
}
