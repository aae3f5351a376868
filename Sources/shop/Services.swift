import CatalogService
import ConfigServer
import CustomerService
import Discovery
import Gateway
import IAMService
import InventoryService
import OrderService
import PaymentService
import ServiceKit
import ShippingService

/// Every service `shop serve` can run and `shop up` starts (with the broker, in `ServiceCatalogue`'s start
/// order). Adding a service: its module, its test target, and one line here.
enum Services {
    // Computed: metatypes of a non-Sendable protocol cannot sit in a global constant under Swift 6.
    static var all: [any ShopService.Type] {
        [
            ConfigServerApp.self,
            DiscoveryServer.self,
            IAMServer.self,
            CustomerServer.self,
            CatalogServer.self,
            InventoryServer.self,
            PaymentServer.self,
            ShippingServer.self,
            OrderServer.self,
            GatewayServer.self,
        ]
    }

    static func named(_ name: String) -> (any ShopService.Type)? {
        all.first { $0.name == name }
    }

    /// The names `shop serve` accepts, in start order.
    static var names: [String] { ServiceCatalogue.startOrder(of: all.map { $0.name }) }

    /// What `shop up` starts: the broker and every service, in start order.
    static var stack: [String] { ServiceCatalogue.startOrder(of: ["broker"] + all.map { $0.name }) }
}
