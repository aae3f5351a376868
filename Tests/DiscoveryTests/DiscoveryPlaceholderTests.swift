import Testing
@testable import Discovery

@Suite struct DiscoveryPlaceholderTests {
    @Test func moduleLinks() { #expect(String(describing: DiscoveryServer.self) == "DiscoveryServer") }
}
