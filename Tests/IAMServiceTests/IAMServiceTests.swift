@testable import IAMService
import Testing

@Suite struct IAMPlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
