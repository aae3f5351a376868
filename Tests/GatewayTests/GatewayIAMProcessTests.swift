import AsyncHTTPClient
import Foundation
import NIOHTTP1
import ShopTestSupport
import Testing

/// `shop serve gateway` in front of `shop serve iam` (with a broker), all real processes: a user
/// registers and logs in through the gateway, and IAM's own tokens are checked against IAM's JWKS.
@Suite(.serialized) struct GatewayIAMProcessTests {
    @Test func registerLoginAndCallProtectedRoutesThroughTheGatewayProcess() async throws {
        let dataDirectory = NSTemporaryDirectory() + "gateway-tests-" + UUID().uuidString
        let broker = try await BrokerProcess(dataDirectory: dataDirectory + "/broker")
        defer { broker.shutdown() }
        let adminEmail = "admin@shop.test", adminPassword = "admin-password-for-tests"
        let issuerPort = BrokerProcess.freePort()
        let shared = ["JWT_ISSUER": "http://127.0.0.1:\(issuerPort)", "JWT_AUDIENCE": "shop", "LOG_LEVEL": "warning"]
        let iam = try await ServiceProcess(service: "iam", port: issuerPort, environment: shared.merging([
            "DATA_DIR": dataDirectory, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "IAM_ADMIN_EMAIL": adminEmail, "IAM_ADMIN_PASSWORD": adminPassword,
        ]) { $1 }, logFile: dataDirectory + "/iam.log")
        defer { iam.cleanUp(removing: [dataDirectory]) }
        let gatewayProcess = try await ServiceProcess(service: "gateway", environment: shared.merging([
            "UPSTREAM_IAM_URL": iam.baseURL, "JWKS_URL": iam.baseURL + "/.well-known/jwks.json",
        ]) { $1 }, logFile: dataDirectory + "/gateway.log")
        defer { gatewayProcess.cleanUp() }
        let client = EnvelopeClient(baseURL: gatewayProcess.baseURL)

        let registered = try await client.post("/auth/register", json: #"{"email":"ada@example.com","password":"correct horse battery","firstName":"Ada","lastName":"Lovelace","phoneNumber":"+44 20 7946 0000"}"#)
        #expect(registered.status == 201 && registered.envelopeStatus == "SUCCESS", "\(registered.text)")
        let login = try await client.post("/auth/login", json: #"{"email":"ada@example.com","password":"correct horse battery"}"#)
        #expect(login.status == 200, "\(login.text)")
        let token = try #require(login.json["data"]?["accessToken"]?.stringValue)
        let me = try await client.get("/auth/me", bearer: token)
        #expect(me.status == 200 && me.json["data"]?["email"]?.stringValue == "ada@example.com")

        // /admin/** is protected at the gateway: no token 401 there; a customer's valid token passes the
        // gateway and IAM answers 403, passed through; an admin's token gets the list.
        let anonymous = try await client.get("/admin/users")
        #expect(anonymous.status == 401 && anonymous.code == 401)
        #expect(try await client.get("/admin/users", bearer: token).status == 403)
        let adminLogin = try await client.post("/auth/login", json: #"{"email":"\#(adminEmail)","password":"\#(adminPassword)"}"#)
        let adminToken = try #require(adminLogin.json["data"]?["accessToken"]?.stringValue)
        let users = try await client.get("/admin/users?page=0&size=10", bearer: adminToken)
        #expect(users.status == 200 && users.envelopeStatus == "SUCCESS", "\(users.text)")
        #expect(try await client.get("/admin/users", bearer: adminToken + "x").status == 401)

        // The request id reaches IAM and comes back.
        let traced = try await client.get("/.well-known/jwks.json", headers: [("X-Request-Id", "through-the-gateway")])
        #expect(traced.status == 200 && traced.header("X-Request-Id") == "through-the-gateway")
    }
}
