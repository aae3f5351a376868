import Foundation
import ServiceKit
import ShopTestSupport
import Testing

extension SharedStack {
    /// `shop load` run as its own process against the shared stack (each run creates its own products,
    /// warehouse and users under a run tag, like the other tests here): short runs whose `--json` reports must
    /// add up and say what the stack really did.
    @Suite struct LoadGenerator {
        static let paidOrLater: Set<String> = ["PAID", "FULFILLING", "SHIPPED", "DELIVERED", "COMPLETED"]

        /// Runs `shop load` with the stack's gateway and admin; its exit status and its output.
        static func shopLoad(_ stack: ShopStack, _ arguments: [String], admin password: String = ShopStack.adminPassword) async throws -> Command.Result {
            try await Command.run(ServiceProcess.shopBinaryPath,
                                  ["load", "--gateway", stack.gatewayURL, "--admin-email", ShopStack.adminEmail,
                                   "--admin-password", password, "--no-progress"] + arguments,
                                  timeout: .seconds(240))
        }

        /// The `--json` report (stdout is the report alone with --no-progress).
        static func report(_ result: Command.Result) throws -> JSONValue {
            let report = try JSONDecoder().decode(JSONValue.self, from: Data(result.output.utf8))
            #expect(report["scenario"]?.stringValue != nil, "not a report: \(result.output.prefix(400))")
            return report
        }

        static func step(_ report: JSONValue, _ name: String) -> JSONValue? {
            report["steps"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }

        /// A JSON number, whether it was written with a fraction or without.
        static func number(_ value: JSONValue?) -> Double? {
            switch value {
            case .integer(let integer): Double(integer)
            case .number(let number): number
            default: nil
            }
        }

        static func span(_ report: JSONValue, _ name: String) -> JSONValue? {
            report["spans"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }

        @Test func checkoutCountEndsWithEveryOrderPaid() async throws {
            try await onStack { stack, _ in
                let checkouts = 12
                let result = try await Self.shopLoad(stack, ["--scenario", "checkout", "--count", String(checkouts), "--users", "3",
                                                             "--products", "2", "--json"])
                try #require(result.status == 0, "shop load exited \(result.status): \(result.output.suffix(800))")
                let report = try Self.report(result)
                #expect(report["iterations"]?["completed"]?.intValue == checkouts, "\(report["iterations"] ?? .null)")
                #expect(report["iterations"]?["failed"]?.intValue == 0, "\(report["iterations"] ?? .null)")
                let orders = try #require(report["orders"])
                #expect(orders["placed"]?.intValue == checkouts)
                #expect(orders["paidOrLater"]?.intValue == checkouts)
                let finals = orders["byFinalStatus"]?.objectValue ?? [:]
                #expect(finals.keys.allSatisfy(Self.paidOrLater.contains), "final statuses \(finals)")
                #expect(finals.values.compactMap(\.intValue).reduce(0, +) == checkouts, "final statuses \(finals)")
                // Three shoppers were registered and reused; one order and one payment per checkout.
                #expect(Self.step(report, "POST /auth/register")?["count"]?.intValue == 3)
                #expect(Self.step(report, "POST /orders")?["count"]?.intValue == checkouts)
                #expect(Self.step(report, "POST /payments/initiate")?["count"]?.intValue == checkouts)
                // Every request is in exactly one step.
                let stepCounts = report["steps"]?.arrayValue?.compactMap { $0["count"]?.intValue }.reduce(0, +)
                #expect(stepCounts == report["requests"]?["total"]?.intValue)
                #expect(report["requests"]?["failed"]?.intValue == 0, "\(report["steps"] ?? .null)")
                // The server's placed→PAID for every order, ordered percentiles.
                let placedToPaid = try #require(Self.span(report, "placed→PAID (server)")?["latency"])
                #expect(placedToPaid["count"]?.intValue == checkouts)
                let p50 = try #require(Self.number(placedToPaid["p50Ms"])), p99 = try #require(Self.number(placedToPaid["p99Ms"]))
                #expect(p50 > 0 && p50 <= p99, "p50 \(p50), p99 \(p99)")
                #expect(report["stock"]?["sold"]?.intValue == checkouts)
                #expect(report["stock"]?["oversold"]?.boolValue == false)
                // The stack runs on this machine: CPU per process, found under /proc by port.
                let processes = Set(report["cpu"]?["processes"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
                #expect(processes.isSuperset(of: ["broker", "gateway", "order", "payment", "inventory", "shop load (this process)"]),
                        "processes \(processes)")
            }
        }

        @Test func flashSaleSellsExactlyTheUnitsStocked() async throws {
            try await onStack { stack, _ in
                let (buyers, units) = (16, 5)
                let result = try await Self.shopLoad(stack, ["--scenario", "flash-sale", "--buyers", String(buyers), "--units", String(units), "--json"])
                try #require(result.status == 0, "shop load exited \(result.status): \(result.output.suffix(800))")
                let report = try Self.report(result)
                let stock = try #require(report["stock"])
                #expect(stock["stocked"]?.intValue == units)
                #expect(stock["sold"]?.intValue == units, "\(stock)")
                #expect(stock["oversold"]?.boolValue == false)
                #expect(stock["finalOnHand"]?.intValue == 0, "\(stock)")
                #expect(stock["finalReserved"]?.intValue == 0, "\(stock)")
                #expect(stock["consistent"]?.boolValue == true, "\(stock)")
                let orders = try #require(report["orders"])
                #expect(orders["placed"]?.intValue == buyers)
                #expect(orders["paidOrLater"]?.intValue == units)
                #expect(orders["byFinalStatus"]?["CANCELLED"]?.intValue == buyers - units, "\(orders)")
                #expect(orders["cancelReasons"]?["OUT_OF_STOCK"]?.intValue == buyers - units, "\(orders)")
            }
        }

        @Test func browseCountVisitsEveryPage() async throws {
            try await onStack { stack, _ in
                let result = try await Self.shopLoad(stack, ["--scenario", "browse", "--count", "6", "--users", "2", "--products", "4"])
                try #require(result.status == 0, "shop load exited \(result.status): \(result.output.suffix(800))")
                // The text report: a line per step, each with six calls.
                for step in ["GET /products ", "GET /products?q=", "GET /products/{id}", "GET /categories ", "GET /categories/{id}/products"] {
                    let line = result.output.split(separator: "\n").first { $0.hasPrefix(step) }
                    #expect(line?.split(separator: " ", omittingEmptySubsequences: true).contains("6") == true,
                            "no line for \(step) with 6 calls in:\n\(result.output)")
                }
                #expect(result.output.contains("iterations   6 completed"), "\(result.output)")
            }
        }

        @Test func clearErrorsWithoutAStackOrWithAWrongPassword() async throws {
            try await onStack { stack, _ in
                let refused = try await Self.shopLoad(stack, ["--count", "1"], admin: "not the admin password")
                #expect(refused.status == 1)
                #expect(refused.output.hasPrefix("shop load: admin login as \(ShopStack.adminEmail) was refused (401"), "\(refused.output)")
                #expect(refused.output.split(separator: "\n").count == 1, "\(refused.output)")

                let port = BrokerProcess.freePort()
                let unreachable = try await Command.run(ServiceProcess.shopBinaryPath,
                                                        ["load", "--gateway", "http://127.0.0.1:\(port)", "--count", "1", "--no-progress"])
                #expect(unreachable.status == 1)
                #expect(unreachable.output.hasPrefix("shop load: the gateway at http://127.0.0.1:\(port) is unreachable"), "\(unreachable.output)")
                #expect(unreachable.output.split(separator: "\n").count == 1, "\(unreachable.output)")
            }
        }
    }
}
