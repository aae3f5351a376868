import AsyncHTTPClient
import Foundation
import NIOCore

/// One run of `shop load`: set-up as the admin, the measured phase, and its report. Set-up failures throw
/// (`LoadError`); a Ctrl-C during the measured phase ends it early and still answers a report.
struct LoadSession: Sendable {
    typealias ProgressOutput = (handle: FileHandle, descriptor: Int32)

    let settings: LoadSettings
    let progress: ProgressOutput?

    func run() async throws -> LoadReport {
        guard let address = GatewayAddress(settings.gateway) else { throw LoadError.invalidGatewayURL(settings.gateway) }
        var configuration = HTTPClient.Configuration()
        // One connection per concurrent call, so that the load is not queued inside the client.
        let concurrency = switch settings.pacing {
        case .virtualUsers(let users): users
        case .rate(_, let maxInFlight): maxInFlight
        }
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, settings.scenario == .flashSale ? settings.buyers : 0, 8))
        configuration.timeout = .init(connect: .seconds(5))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let report = try await measure(address: address, client: client)
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(address: GatewayAddress, client: HTTPClient) async throws -> LoadReport {
        let timeout = TimeAmount.nanoseconds(Int64(settings.requestTimeout / .nanoseconds(1)))
        let baseURL = settings.gateway.hasSuffix("/") ? String(settings.gateway.dropLast()) : settings.gateway
        let setup = GatewayTraffic(baseURL: baseURL, client: client, recorder: LoadRecorder(), requestTimeout: timeout)
        try await ShopAdmin.checkGateway(setup)
        let admin = try await ShopAdmin.logIn(setup, email: settings.adminEmail, password: settings.adminPassword)
        let runTag = String(UUID().uuidString.lowercased().prefix(8))
        let recorder = LoadRecorder()
        let traffic = GatewayTraffic(baseURL: baseURL, client: client, recorder: recorder, requestTimeout: timeout)
        let flow = CheckoutFlow(recorder: recorder, watch: settings.watch)

        // Set-up, not measured.
        enum Prepared {
            case browse(BrowseScenario)
            case checkout(CheckoutScenario, stocked: Int)
            case flashSale(FlashSaleScenario)
        }
        let prepared: Prepared
        switch settings.scenario {
        case .browse:
            prepared = .browse(try await BrowseScenario.seed(admin: admin, traffic: traffic, runTag: runTag, products: settings.products))
        case .checkout:
            let products = try await CheckoutScenario.seed(admin: admin, runTag: runTag, products: settings.products, stock: settings.stock)
            let shoppers = ShopperPool(traffic: traffic, runTag: runTag, reuse: settings.reuseShoppers)
            prepared = .checkout(CheckoutScenario(flow: flow, shoppers: shoppers, productIds: products, quantity: settings.quantity),
                                 stocked: settings.products * settings.stock)
        case .flashSale:
            prepared = .flashSale(FlashSaleScenario(admin: admin, traffic: traffic, flow: flow, buyers: settings.buyers,
                                                    units: settings.units, concurrency: settings.signUpConcurrency))
        }

        let cpuOffset = settings.processCPU == .off ? nil : address.stackPortOffset
        let cpuAtStart = cpuOffset.map { StackCPUSample.take(portOffset: $0) }
        if settings.processCPU == .required, (cpuAtStart?.processes.count ?? 0) < 2 {
            throw LoadError.stackProcessesNotFound(portOffset: address.port - 8080)
        }

        // Measured.
        let startedAt = Date()
        let start = ContinuousClock.now
        let progressTask = progress.map { output in
            Task { await ProgressLine(recorder: recorder, output: output.handle, descriptor: output.descriptor).run(since: start) }
        }
        var stock: LoadReport.Stock?
        switch prepared {
        case .browse(let browse):
            await LoadRunner(pacing: settings.pacing, budget: RunBudget(duration: settings.duration, count: settings.count), recorder: recorder)
                .run { try await browse.visit() }
        case .checkout(let checkout, let stocked):
            await LoadRunner(pacing: settings.pacing, budget: RunBudget(duration: settings.duration, count: settings.count), recorder: recorder)
                .run { try await checkout.checkout() }
            let sold = recorder.snapshot().unitsSold
            stock = LoadReport.Stock(stocked: stocked, sold: sold, oversold: sold > stocked)
        case .flashSale(let sale):
            do {
                let outcome = try await sale.run(runTag: runTag)
                let sold = recorder.snapshot().unitsSold
                stock = LoadReport.Stock(stocked: settings.units, sold: sold, oversold: sold > settings.units,
                                         finalOnHand: outcome.level.onHand, finalReserved: outcome.level.reserved,
                                         consistent: outcome.settled ? outcome.level.onHand == settings.units - sold : nil)
            } catch is CancellationError {
                // Ctrl-C: the report so far, without the stock read.
            }
        }
        let elapsed = ContinuousClock.now - start
        let interrupted = Task.isCancelled
        progressTask?.cancel()
        await progressTask?.value
        let cpu = cpuOffset.flatMap { offset in
            cpuAtStart.map { LoadReport.cpu(from: $0, to: StackCPUSample.take(portOffset: offset)) }
        }
        return LoadReport(scenario: settings.scenario.rawValue, gateway: baseURL, pacing: settings.pacingDescription, startedAt: startedAt,
                          elapsed: elapsed, interrupted: interrupted, tally: recorder.snapshot(), stock: stock,
                          cpu: (cpu?.processes.count ?? 0) > 1 ? cpu : nil, withOrders: settings.scenario != .browse)
    }
}
