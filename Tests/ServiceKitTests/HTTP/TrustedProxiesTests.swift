import ServiceKit
import Testing

/// Which client a request is from, given the socket peer and `X-Forwarded-For`.
@Suite struct TrustedProxiesTests {
    @Test func parsesAddressesBlocksAndKeywords() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.7, fd00::/8, loopback", variable: "TRUSTED_PROXIES")
        #expect(proxies.trusts("10.200.3.4") && proxies.trusts("192.168.1.7") && !proxies.trusts("192.168.1.8"))
        #expect(proxies.trusts("fd12::1") && !proxies.trusts("fe80::1"))
        #expect(proxies.trusts("127.0.0.2") && proxies.trusts("::1"))
        #expect(!proxies.trusts("not an address"))
        #expect(try TrustedProxies(parsing: "none", variable: "X") == .none)
        for bad in ["10.0.0.0/33", "300.1.1.1", "loopbak", "::1/129", "10.0.0.0/x"] {
            #expect(throws: ConfigError.self, "\(bad)") { try TrustedProxies(parsing: bad, variable: "TRUSTED_PROXIES") }
        }
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() {
        let proxies = TrustedProxies.loopback
        #expect(proxies.clientAddress(peer: "198.51.100.7", forwardedFor: ["203.0.113.1"]) == "198.51.100.7")
    }

    @Test func behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8,loopback", variable: "T")
        // The client forged the first entry; the proxies appended the real one.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["1.2.3.4, 198.51.100.7, 10.1.1.1"]) == "198.51.100.7")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["1.2.3.4", "198.51.100.7"]) == "198.51.100.7")
        // Every hop trusted: the leftmost is the client (clients on the proxies' own network).
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["127.0.0.5"]) == "127.0.0.5")
        // No header, or garbage in it: the peer, or the last good hop.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["<script>, 198.51.100.9"]) == "198.51.100.9")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.9, <script>"]) == "127.0.0.1")
    }
}
