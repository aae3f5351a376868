import Foundation
import ShopTestSupport
import Testing

@Suite struct ShopBinaryTests {
    @Test func shopIsBuiltNextToTheTests() {
        #expect(FileManager.default.isExecutableFile(atPath: ServiceProcess.shopBinaryPath))
    }
}
