import ArgumentParser
import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import Synchronization

/// `shop load`: a load generator for the whole shop, through the gateway, as users would use it.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive the shop through its gateway with browse, checkout or flash-sale traffic and report what it measured.",
        discussion: """
            Scenarios (--scenario):
              browse      anonymous visits: the newest products, a search, one
                          product, the category tree, a category's products
              checkout    shoppers (registered when first needed, then reused)
                          put a product in the cart, order, pay with
                          tok_success, and wait until the order is PAID or later
              flash-sale  --buyers shoppers for --units units of one product,
                          all ordering at once; checks units sold (orders PAID
                          or later) <= units stocked, and on hand = stocked -
                          sold once no reservation is left

            It creates what it needs through the public API as the admin (a
            category, products, a warehouse, stock), under a tag of its own.

            Pacing: --users virtual users, each running one iteration after
            another, or --rate iterations per second (at most --max-in-flight
            at once). Budget: --duration seconds and/or --count iterations (30 s
            when neither is given); an iteration running at the end finishes.
            Ctrl-C prints the report so far (a second Ctrl-C quits at once).

            The report: requests/s; p50/p95/p99/max and errors by status per
            step; iterations; orders by final status and cancel reason; the
            stock check; and per order, "placed→PAID (server)": the order
            service's own clock, statusHistory's PAID entry minus placedAt
            (orders often are FULFILLING when next seen: the history still has
            PAID), and "placed→PAID seen (client)": from sending POST /orders
            to the first GET /orders/{id} showing PAID or later. When the
            gateway is on this machine: CPU per process of that `shop up` stack
            (found under /proc by command line and port) and of this generator.

            The stack's rate limits (per client address: the gateway's 100
            requests/s, IAM's logins) end a load in 429s. For load, start it as
              GATEWAY_RATE_BURST=100000 GATEWAY_RATE_PER_MINUTE=10000000 \\
              GATEWAY_AUTH_RATE_BURST=100000 \\
              GATEWAY_AUTH_RATE_PER_MINUTE=10000000 \\
              IAM_LOGIN_RATE_BURST=100000 IAM_LOGIN_RATE_PER_MINUTE=1000000 \\
              shop up

            Exit status: 0 with a report; 1 when it could not run (one line on
            stderr: gateway unreachable, admin login refused, ...); 2 when the
            stock check failed (oversold, or on hand inconsistent).
            """
    )

    enum Scenario: String, ExpressibleByArgument, CaseIterable, Sendable {
        case browse, checkout
        case flashSale = "flash-sale"
    }

    @Option(help: "browse, checkout or flash-sale.")
    var scenario: Scenario = .checkout

    @Option(help: "The gateway's URL.")
    var gateway = "http://127.0.0.1:8080"

    @Option(help: "Virtual users, each running one iteration after another (browse, checkout); flash-sale: sign-ups at once.")
    var users = 8

    @Option(help: "Start this many iterations per second instead of using virtual users (browse, checkout).")
    var rate: Double?

    @Option(name: .customLong("max-in-flight"), help: "With --rate: at most this many iterations at once; arrivals beyond are skipped and counted.")
    var maxInFlight = 256

    @Option(help: "Seconds to keep starting iterations (30 when neither --duration nor --count is given).")
    var duration: Double?

    @Option(help: "Iterations to run at most (browse: visits; checkout: checkouts).")
    var count: Int?

    @Option(help: "Products to create (browse 20, checkout 10).")
    var products: Int?

    @Option(help: "checkout: units stocked of each product.")
    var stock = 1_000_000

    @Option(help: "checkout: units of the product per order.")
    var quantity = 1

    @Flag(name: .customLong("fresh-users"), help: "checkout: register a new user for every checkout instead of reusing them.")
    var freshUsers = false

    @Option(help: "flash-sale: shoppers.")
    var buyers = 50

    @Option(help: "flash-sale: units in stock.")
    var units = 10

    @Option(name: .customLong("poll-interval-ms"), help: "How often a shopper polls GET /orders/{id} while waiting.")
    var pollIntervalMs = 100

    @Option(name: .customLong("wait-timeout"), help: "Seconds a shopper waits for an order to become payable, and then PAID.")
    var waitTimeout: Double = 60

    @Option(name: .customLong("request-timeout"), help: "Seconds one HTTP call may take.")
    var requestTimeout: Double = 30

    @Option(name: .customLong("admin-email"), help: "The admin who creates products and stock (env IAM_ADMIN_EMAIL; default admin@shop.local).")
    var adminEmail: String?

    @Option(name: .customLong("admin-password"), help: "Their password (env IAM_ADMIN_PASSWORD; default the development one `shop up` seeds).")
    var adminPassword: String?

    @Flag(name: .customLong("proc-cpu"), help: "Require CPU per process of the stack (by default reported when the stack is found on this machine).")
    var requireProcessCPU = false

    @Flag(name: .customLong("no-proc-cpu"), help: "Leave out CPU per process.")
    var skipProcessCPU = false

    @Flag(help: "Print the report as JSON on stdout (progress goes to stderr).")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No progress lines while running.")
    var noProgress = false

    func validate() throws {
        guard GatewayAddress(gateway) != nil else { throw ValidationError("--gateway \(gateway) is not an http://host:port URL") }
        guard (1...10_000).contains(users) else { throw ValidationError("--users must be between 1 and 10000") }
        if let rate { guard rate > 0, rate <= 100_000 else { throw ValidationError("--rate must be above 0 and at most 100000") } }
        guard (1...100_000).contains(maxInFlight) else { throw ValidationError("--max-in-flight must be between 1 and 100000") }
        if let duration { guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be above 0 and at most 86400") } }
        if let count { guard count > 0 else { throw ValidationError("--count must be at least 1") } }
        if let products { guard (1...1000).contains(products) else { throw ValidationError("--products must be between 1 and 1000") } }
        guard (1...100_000_000).contains(stock) else { throw ValidationError("--stock must be between 1 and 100000000") }
        guard (1...99).contains(quantity) else { throw ValidationError("--quantity must be between 1 and 99 (API.md §4.1)") }
        guard (1...100_000).contains(buyers) else { throw ValidationError("--buyers must be between 1 and 100000") }
        guard (0...1_000_000).contains(units) else { throw ValidationError("--units must be between 0 and 1000000") }
        guard (10...60_000).contains(pollIntervalMs) else { throw ValidationError("--poll-interval-ms must be between 10 and 60000") }
        guard waitTimeout > 0, waitTimeout <= 3600 else { throw ValidationError("--wait-timeout must be above 0 and at most 3600") }
        guard requestTimeout > 0, requestTimeout <= 600 else { throw ValidationError("--request-timeout must be above 0 and at most 600") }
        guard !(requireProcessCPU && skipProcessCPU) else { throw ValidationError("--proc-cpu and --no-proc-cpu exclude each other") }
    }

    private var pacing: LoadPacing {
        if let rate { return .rate(perSecond: rate, maxInFlight: maxInFlight) }
        return .virtualUsers(users)
    }

    /// `--duration`, or 30 s when there is no `--count` either.
    private var budgetDuration: Duration? {
        if let duration { return .milliseconds(Int64(duration * 1000)) }
        return count == nil ? .seconds(30) : nil
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = LoadSettings(
            scenario: scenario, gateway: gateway, pacing: pacing, duration: budgetDuration, count: count,
            products: products ?? (scenario == .browse ? 20 : 10), stock: stock, quantity: quantity, reuseShoppers: !freshUsers,
            buyers: buyers, units: units, signUpConcurrency: users,
            watch: OrderWatch(pollInterval: .milliseconds(pollIntervalMs), timeout: .milliseconds(Int64(waitTimeout * 1000))),
            requestTimeout: .milliseconds(Int64(requestTimeout * 1000)),
            adminEmail: adminEmail ?? environment["IAM_ADMIN_EMAIL"].flatMap { $0.isEmpty ? nil : $0 } ?? "admin@shop.local",
            adminPassword: adminPassword ?? environment["IAM_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 } ?? "change-me-admin-password",
            processCPU: skipProcessCPU ? .off : requireProcessCPU ? .required : .whenFound)
        // With --json, stdout is the report alone.
        let progress: LoadSession.ProgressOutput? = noProgress ? nil
            : json ? (FileHandle.standardError, STDERR_FILENO) : (FileHandle.standardOutput, STDOUT_FILENO)

        // Ctrl-C cancels the run (the report so far follows); a second one quits at once.
        signal(SIGINT, SIG_IGN)
        let work = Task { try await LoadSession(settings: settings, progress: progress).run() }
        let interrupts = ManagedInterrupts()
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if interrupts.count() > 1 { Foundation.exit(130) }
            work.cancel()
        }
        source.resume()
        defer { source.cancel() }

        let report: LoadReport
        do {
            report = try await work.value
        } catch let error as LoadError {
            FileHandle.standardError.write(Data("shop load: \(error)\n".utf8))
            throw ExitCode(1)
        } catch is CancellationError {
            FileHandle.standardError.write(Data("shop load: interrupted during set-up; nothing measured\n".utf8))
            throw ExitCode(130)
        } catch {
            FileHandle.standardError.write(Data("shop load: set-up failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data((json ? report.json + "\n" : report.text).utf8))
        if let stock = report.stock, stock.oversold || stock.consistent == false { throw ExitCode(2) }
    }
}

/// Counts Ctrl-Cs (the signal source's handler runs on a Dispatch queue).
final class ManagedInterrupts: Sendable {
    private let seen = Mutex(0)
    /// Counts one more and answers how many so far.
    func count() -> Int { seen.withLock { $0 += 1; return $0 } }
}
