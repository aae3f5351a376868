import ServiceKit
import Testing

@testable import CustomerService

/// `CUSTOMER_*` settings: defaults, values, and refusals that name the variable.
@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheContract() throws {
        let configuration = try CustomerConfiguration(environment: [:])
        #expect(configuration.maxAddresses == 20 && configuration.eventMaxAttempts == 5)
        #expect(CustomerServer.settingNames.sorted() == ["CUSTOMER_EVENT_MAX_ATTEMPTS", "CUSTOMER_MAX_ADDRESSES"])
    }

    @Test func valuesAreReadAndBadOnesRefused() throws {
        let configuration = try CustomerConfiguration(environment: ["CUSTOMER_MAX_ADDRESSES": "5", "CUSTOMER_EVENT_MAX_ATTEMPTS": "2"])
        #expect(configuration.maxAddresses == 5 && configuration.eventMaxAttempts == 2)
        for (name, value) in [("CUSTOMER_MAX_ADDRESSES", "0"), ("CUSTOMER_MAX_ADDRESSES", "101"), ("CUSTOMER_EVENT_MAX_ATTEMPTS", "many")] {
            let error = #expect(throws: ConfigError.self) { try CustomerConfiguration(environment: [name: value]) }
            #expect(error.map { String(describing: $0).contains(name) } == true)
        }
    }
}
