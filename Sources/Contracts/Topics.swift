/// Topic names, one per aggregate stream (DOMAIN.md §4.1). Versioned in the name: a breaking change
/// of a stream is a new topic.
public enum Topics {
    public static let iamUser = "iam.user.v1"
    public static let customerCustomer = "customer.customer.v1"
    public static let catalogProduct = "catalog.product.v1"
    public static let catalogCategory = "catalog.category.v1"
    public static let catalogReview = "catalog.review.v1"
    public static let inventoryStock = "inventory.stock.v1"
    public static let orderOrder = "order.order.v1"
    public static let paymentPayment = "payment.payment.v1"
    public static let shippingShipment = "shipping.shipment.v1"

    /// The order saga's commands to each participant (API.md §8); replies are events on the participant's
    /// own stream, keyed by order id.
    public static let inventoryCommands = "inventory.commands"
    public static let paymentCommands = "payment.commands"
    public static let shippingCommands = "shipping.commands"

    /// Every stream and command topic of the shop, for `shop up` to create ahead of its services.
    public static let all = [
        iamUser, customerCustomer, catalogProduct, catalogCategory, catalogReview, inventoryStock, orderOrder,
        paymentPayment, shippingShipment, inventoryCommands, paymentCommands, shippingCommands,
    ]

    /// Where a consumer group parks records it could not apply: `<topic>.<group>.dlt`.
    public static func deadLetter(of topic: String, group: String) -> String {
        "\(topic).\(group).dlt"
    }
}
