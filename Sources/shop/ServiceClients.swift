import Foundation

/// The client-credentials clients of API.md §1.4 that `shop up` registers with IAM, with secrets made for
/// this run (nothing to configure, nothing committed). A service that calls another with its own token
/// gets `SERVICE_CLIENT_ID` and `SERVICE_CLIENT_SECRET`; the operator's clients are written to
/// `<data>/service-clients.properties` (mode 0600) for curl and tools.
struct ServiceClients {
    struct Client {
        let id: String
        let secret: String
        let scopes: [String]
        /// The service that authenticates as this client, if one does.
        let usedBy: String?
    }

    let clients: [Client]

    static func generate() -> ServiceClients {
        func secret() -> String {
            var generator = SystemRandomNumberGenerator()
            return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        }
        return ServiceClients(clients: [
            Client(id: "order-service", secret: secret(), scopes: ["customer.read", "catalog.read", "inventory.read"], usedBy: "order"),
            Client(id: "payment-service", secret: secret(), scopes: ["order.read"], usedBy: "payment"),
            Client(id: "carrier-sim", secret: secret(), scopes: ["shipping.carrier"], usedBy: nil),
            Client(id: "ops-tools", secret: secret(), scopes: ["inventory.reserve", "shipping.write"], usedBy: nil),
        ])
    }

    /// `IAM_SERVICE_CLIENTS`: `client_id:secret:scope scope…`, comma-separated.
    var iamSetting: String {
        clients.map { "\($0.id):\($0.secret):\($0.scopes.joined(separator: " "))" }.joined(separator: ",")
    }

    /// The client a service authenticates as, if any.
    func client(usedBy service: String) -> Client? {
        clients.first { $0.usedBy == service }
    }

    /// Writes every client as `<ID>_CLIENT_ID` / `_SECRET` lines, readable by the owner only.
    func write(to path: String) throws {
        var text = "# Client-credentials clients of this `shop up` run (new secrets every run).\n"
        for client in clients {
            let prefix = client.id.uppercased().replacingOccurrences(of: "-", with: "_")
            text += "\(prefix)_CLIENT_ID=\(client.id)\n\(prefix)_CLIENT_SECRET=\(client.secret)\n"
        }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        guard FileManager.default.fileExists(atPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
