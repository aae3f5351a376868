/// One kind of HTTP call `shop load` makes, named in the report. Each has its own latency histogram and error
/// counts, so a slow or failing step stands out from the rest of its scenario.
enum LoadStep: Int, CaseIterable, Sendable {
    // Set-up (admin, once per run).
    case adminLogin, createCategory, createProduct, createWarehouse, adjustStock, stockLevel
    // Browse.
    case productList, productSearch, productGet, categoryTree, categoryProducts
    // A shopper.
    case register, login, addAddress, setCartLine, placeOrder, pollOrder, initiatePayment

    var name: String {
        switch self {
        case .adminLogin: "admin login"
        case .createCategory: "POST /categories"
        case .createProduct: "POST /products"
        case .createWarehouse: "POST /warehouses"
        case .adjustStock: "POST /inventory/adjustments"
        case .stockLevel: "GET /inventory/{id}"
        case .productList: "GET /products"
        case .productSearch: "GET /products?q="
        case .productGet: "GET /products/{id}"
        case .categoryTree: "GET /categories"
        case .categoryProducts: "GET /categories/{id}/products"
        case .register: "POST /auth/register"
        case .login: "POST /auth/login"
        case .addAddress: "POST /customers/me/addresses"
        case .setCartLine: "PUT /cart/items/{id}"
        case .placeOrder: "POST /orders"
        case .pollOrder: "GET /orders/{id}"
        case .initiatePayment: "POST /payments/initiate"
        }
    }
}

/// A latency that spans several calls, measured per order.
enum LoadSpan: Int, CaseIterable, Sendable {
    /// Server clock: `statusHistory`'s `AWAITING_PAYMENT` entry minus `placedAt` (stock reserved).
    case placedToAwaitingPayment
    /// Server clock: `statusHistory`'s `PAID` entry minus `placedAt`. Includes the shopper's own delay between
    /// seeing `AWAITING_PAYMENT` and paying (one poll interval at most, plus the payment call).
    case placedToPaid
    /// Server clock: `PAID` minus `PAYMENT_PROCESSING` (payment captured and its event applied by the order).
    case paymentToPaid
    /// Client clock: from sending `POST /orders` to the first `GET /orders/{id}` that shows `PAID` or later
    /// (adds the poll interval and the gateway's answer time to the server's figure).
    case placedToPaidSeen
    /// Client clock: one whole checkout iteration, cart line to `PAID` seen.
    case checkoutIteration

    var name: String {
        switch self {
        case .placedToAwaitingPayment: "placed→AWAITING_PAYMENT (server)"
        case .placedToPaid: "placed→PAID (server)"
        case .paymentToPaid: "PAYMENT_PROCESSING→PAID (server)"
        case .placedToPaidSeen: "placed→PAID seen (client)"
        case .checkoutIteration: "checkout iteration (client)"
        }
    }
}
