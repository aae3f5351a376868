import Testing
@testable import Gateway

@Suite struct GatewayPlaceholderTests {
    @Test func moduleLinks() { #expect(String(describing: GatewayServer.self) == "GatewayServer") }
}
