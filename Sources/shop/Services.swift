import ConfigServer
import CustomerService
import Discovery
import Gateway
import IAMService
import CatalogService
import ShippingService
import PaymentService
import InventoryService
import ServiceKit

/// Every service `shop serve` can run and `shop up` starts (with the broker, in `ServiceCatalogue`'s start
/// order). Adding a service: its module, its test target, and one line here.
enum Services {
    static let all: [any ShopService.Type] = [
        ConfigServerApp.self,
        DiscoveryServer.self,
        IAMServer.self,
        CustomerServer.self,
        InventoryServer.self,
        PaymentServer.self,
        ShippingServer.self,
        CatalogServer.self,
        GatewayServer.self,
    ]

    static func named(_ name: String) -> (any ShopService.Type)? {
        all.first { $0.name == name }
    }

    /// The names `shop serve` accepts, in start order.
    static var names: [String] { ServiceCatalogue.startOrder(of: all.map { $0.name }) }

    /// What `shop up` starts: the broker and every service, in start order.
    static var stack: [String] { ServiceCatalogue.startOrder(of: ["broker"] + all.map { $0.name }) }
}
