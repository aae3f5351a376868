/// Latencies in microseconds, counted in fixed log-linear buckets (the HDR histogram's layout, at about
/// 3% resolution): exact below 64 µs, then 32 buckets per power of two up to 2^40 µs (12 days). Recording is
/// an index computation and an increment, never an allocation, so a run of millions of requests costs the
/// same memory as a run of ten. Percentiles answer the upper edge of the bucket that holds the rank: never
/// below the true value, at most 1/32 above it.
struct LatencyHistogram: Sendable {
    /// Values below this are counted one bucket per microsecond.
    private static let linearLimit: Int64 = 64
    private static let subBucketBits = 5
    private static let largestExponent = 40
    private static let bucketCount = Int(linearLimit) + (largestExponent - 6 + 1) << subBucketBits

    private var counts: [Int64]
    private(set) var count: Int64 = 0
    private(set) var sumMicroseconds: Int64 = 0
    private(set) var maxMicroseconds: Int64 = 0
    private(set) var minMicroseconds: Int64 = .max

    init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    mutating func record(microseconds raw: Int64) {
        let value = min(max(raw, 0), (Int64(1) << Self.largestExponent) - 1)
        counts[Self.bucket(of: value)] += 1
        count += 1
        sumMicroseconds &+= value
        maxMicroseconds = max(maxMicroseconds, value)
        minMicroseconds = min(minMicroseconds, value)
    }

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        record(microseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }

    /// The latency at quantile `q` (0...1) in microseconds, or nil when nothing was recorded.
    func quantileMicroseconds(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, Int64((q * Double(count)).rounded(.up)))
        var seen: Int64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.upperEdge(of: index), maxMicroseconds) }
        }
        return maxMicroseconds
    }

    var meanMicroseconds: Double? {
        count > 0 ? Double(sumMicroseconds) / Double(count) : nil
    }

    static func bucket(of value: Int64) -> Int {
        if value < linearLimit { return Int(value) }
        let exponent = Int64.bitWidth - 1 - value.leadingZeroBitCount
        let subBucket = Int((value >> (exponent - subBucketBits)) & ((1 << subBucketBits) - 1))
        return Int(linearLimit) + (exponent - 6) << subBucketBits + subBucket
    }

    /// The largest value that falls in bucket `index`.
    static func upperEdge(of index: Int) -> Int64 {
        if index < Int(linearLimit) { return Int64(index) }
        let exponent = (index - Int(linearLimit)) >> subBucketBits + 6
        let subBucket = Int64((index - Int(linearLimit)) & ((1 << subBucketBits) - 1))
        let width = Int64(1) << (exponent - subBucketBits)
        return (Int64(1) << exponent) + (subBucket + 1) * width - 1
    }
}
