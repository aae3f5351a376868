import Testing
@testable import ConfigServer

@Suite struct ConfigServerPlaceholderTests {
    @Test func moduleLinks() { #expect(String(describing: ConfigServerApp.self) == "ConfigServerApp") }
}
