import Contracts
import Testing

/// Checked arithmetic: exact results, overflow and mixed currencies are errors, never wrap or convert.
@Suite struct MoneyArithmeticTests {
    let eur = Currency.EUR

    func euros(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: .EUR) }

    @Test func addsSubtractsAndMultipliesExactly() throws {
        #expect(try euros(12999) + euros(1) == euros(13000))
        #expect(try euros(100) - euros(250) == euros(-150))
        #expect(try euros(12999).multiplied(by: 3) == euros(38997))
        #expect(try euros(-5).negated() == euros(5))
        #expect(try Money.sum([euros(1), euros(2), euros(3)]) == euros(6))
        #expect(try Money.sum([Money](), currency: .JPY) == Money.zero(.JPY))
        #expect(throws: MoneyError.emptySum) { try Money.sum([Money]()) }
    }

    @Test func overflowIsAnErrorNotAWrap() {
        let max = euros(Int64.max)
        #expect(throws: MoneyError.self) { try max + euros(1) }
        #expect(throws: MoneyError.self) { try euros(Int64.min) - euros(1) }
        #expect(throws: MoneyError.self) { try euros(Int64.max / 2 + 1).multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try euros(-2).multiplied(by: Int64.max) }
        #expect(throws: MoneyError.self) { try euros(Int64.min).negated() }
        #expect(throws: MoneyError.self) { try Money.sum([max, euros(1), euros(-5)]) }
        // The edge itself is fine.
        #expect((try? max - euros(0)) == max)
        do {
            _ = try max + euros(1)
        } catch {
            guard case .overflow = error else { Issue.record("expected overflow, got \(error)"); return }
        }
    }

    @Test func mixedCurrenciesAreAnErrorNotAConversion() {
        let dollars = Money(amountMinor: 100, currency: .USD)
        #expect(throws: MoneyError.currencyMismatch(operation: "add", left: "EUR", right: "USD")) { try euros(100) + dollars }
        #expect(throws: MoneyError.currencyMismatch(operation: "subtract", left: "EUR", right: "USD")) { try euros(100) - dollars }
        #expect(throws: MoneyError.currencyMismatch(operation: "compare", left: "EUR", right: "USD")) { try euros(1) < dollars }
        #expect(throws: MoneyError.self) { try Money.sum([euros(1), dollars]) }
        #expect(throws: MoneyError.self) { try Money.sum([euros(1)], currency: .USD) }
        // Equality is total: the same digits in two currencies are simply different amounts.
        #expect(euros(100) != dollars)
    }

    @Test func comparesWithinOneCurrency() throws {
        #expect(try euros(1) < euros(2))
        #expect(try euros(2) <= euros(2))
        #expect(try euros(3) > euros(-3))
        #expect(try !(euros(1) >= euros(2)))
    }

    /// Half away from zero, per line, exact in integers.
    @Test(arguments: [
        (12999, 2000, 2600),     // 2599.8 → 2600 (20 % VAT of 129.99)
        (1000, 750, 75),         // exact
        (5, 1000, 1),            // 0.5 → 1 (half goes up)
        (-5, 1000, -1),          // -0.5 → -1 (half goes away from zero)
        (4, 1000, 0),            // 0.4 → 0
        (14, 1250, 2),           // 1.75 → 2
        (-14, 1250, -2),
        (12999, -1000, -1300),   // a 10 % discount line: -1299.9 → -1300
        (100, 10000, 100),       // 100 %
        (1, 5000, 1),            // 0.5 → 1
        (3, 5000, 2),            // 1.5 → 2
        (5, 5000, 3),            // 2.5 → 3 (banker's would give 2)
    ] as [(Int64, Int64, Int64)])
    func percentageRoundsHalfAwayFromZero(amount: Int64, basisPoints: Int64, expected: Int64) throws {
        #expect(try euros(amount).percentage(basisPoints: basisPoints) == euros(expected))
    }

    @Test func percentageOfHugeAmountsIsExactOrOverflows() throws {
        // amount × bp does not fit Int64, yet the result does: still exact.
        let big = euros(Int64.max)
        #expect(try big.percentage(basisPoints: 10000) == big)
        #expect(try big.percentage(basisPoints: 5000) == euros(Int64.max / 2 + 1)) // 4611686018427387903.5 → up
        #expect(throws: MoneyError.self) { try big.percentage(basisPoints: 20000) }
    }
}
