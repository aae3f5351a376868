/// Display text built from the integer digits alone (no `Double`, no locale): the major units with a
/// comma every three digits, a point and exactly `exponent` minor digits, then the code.
/// `129.99 EUR`, `1,500 JPY`, `-0.05 EUR`, `1.250 KWD`.
extension Money {
    public var formatted: String {
        let digits = String(amountMinor.magnitude) // UInt64: Int64.min has a magnitude too
        let exponent = currency.exponent
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let major = padded.dropLast(exponent)
        let minor = padded.suffix(exponent)
        var grouped = ""
        for (index, digit) in major.enumerated() {
            if index > 0, (major.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let sign = amountMinor < 0 ? "-" : ""
        let fraction = exponent > 0 ? "." + minor : ""
        return "\(sign)\(grouped)\(fraction) \(currency.code)"
    }
}
