import Foundation

/// The peers whose `X-Forwarded-For` a service believes (`TRUSTED_PROXIES`): a comma-separated list of
/// addresses and CIDR blocks (IPv4 and IPv6), `loopback` (127.0.0.0/8 and ::1), or `none`.
///
/// The client of a request is found as RFC 7239 §7.4 advises: starting from the socket peer, walk the
/// forwarded chain from its right end while the hop is trusted; the first untrusted address is the
/// client. A client talking to the service directly from an untrusted address cannot name itself
/// someone else, because its own header is never read.
public struct TrustedProxies: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        var address: [UInt8]
        var prefixLength: Int

        func contains(_ candidate: [UInt8]) -> Bool {
            guard candidate.count == address.count else { return false }
            var remaining = prefixLength
            for index in address.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if candidate[index] & mask != address[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let blocks: [Block]

    public static let loopbackSpec = "loopback"
    public static let none = TrustedProxies(blocks: [])
    public static let loopback = TrustedProxies(blocks: [
        Block(address: [127, 0, 0, 0], prefixLength: 8),
        Block(address: Array(repeating: 0, count: 15) + [1], prefixLength: 128),
    ])

    init(blocks: [Block]) {
        self.blocks = blocks
    }

    /// Parses the setting; `variable` names it in the error.
    public init(parsing text: String, variable: String) throws(ConfigError) {
        var blocks: [Block] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            switch item.lowercased() {
            case "none": continue
            case "loopback": blocks += Self.loopback.blocks
            default:
                let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                guard let address = Self.bytes(of: parts[0]) else {
                    throw .invalid(name: variable, value: text, expected: "addresses or CIDR blocks (10.0.0.0/8, ::1), loopback or none; '\(item)' is not one")
                }
                let maximum = address.count * 8
                let prefix = parts.count == 2 ? Int(parts[1]) : maximum
                guard let prefix, (0...maximum).contains(prefix) else {
                    throw .invalid(name: variable, value: text, expected: "a prefix length of 0…\(maximum) in '\(item)'")
                }
                blocks.append(Block(address: address, prefixLength: prefix))
            }
        }
        self.blocks = blocks
    }

    public func trusts(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client address of a request from `peer` carrying these `X-Forwarded-For` values.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, trusts(peer) else { return peer }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Bounded: a header of thousands of hops is walked no further than this.
        var client = peer
        for hop in chain.reversed().prefix(32) {
            guard Self.bytes(of: hop) != nil else { return client }
            client = hop
            if !trusts(hop) { return hop }
        }
        return client
    }

    /// The address's bytes (4 or 16), or nil when it is not an IP address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
