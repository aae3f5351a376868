import ArgumentParser
import Dispatch
import Foundation
import ServiceKit

/// `shop up`: the whole stack on one machine, as separate processes, until Ctrl-C or SIGTERM.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the broker and every service, wait until each is ready, and supervise them.",
        discussion: """
            Starts \(StackComponent.order.map { "\($0) \(ServiceCatalogue.port(of: $0) ?? 0)" }.joined(separator: ", ")) \
            (name and seed port), prints a status table, merges their logs with a prefix per process, restarts a \
            process that exits with backoff, and stops all of them on Ctrl-C or SIGTERM.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Directory for every process's data (env DATA_DIR; default ./.data).")
    var dataDirectory: String?

    @Option(help: "Comma-separated subset to start, e.g. broker,iam,gateway.")
    var only: String?

    @Option(name: .customLong("port-offset"), help: "Add this to every seed port (run a second stack beside the first).")
    var portOffset: Int = 0

    @Option(name: .customLong("ready-timeout"), help: "Seconds each process may take to become ready.")
    var readyTimeout: Int = 60

    func validate() throws {
        if let only {
            let unknown = only.split(separator: ",").map(String.init).filter { !StackComponent.order.contains($0) }
            guard unknown.isEmpty else {
                throw ValidationError("--only: unknown \(unknown.joined(separator: ", ")); choose from \(StackComponent.order.joined(separator: ","))")
            }
        }
        guard (0...50_000).contains(portOffset) else { throw ValidationError("--port-offset must be between 0 and 50000") }
    }

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        // The children write to a pipe; a person at this terminal still wants short lines, not JSON.
        if environment["LOG_FORMAT"] == nil, isatty(STDOUT_FILENO) == 1 { environment["LOG_FORMAT"] = "text" }
        let dataDirectory = URL(fileURLWithPath: dataDirectory ?? environment["DATA_DIR"] ?? "./.data").standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let names = only.map { $0.split(separator: ",").map(String.init) } ?? StackComponent.order
        let binDirectory = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent().path
        let serviceClients = ServiceClients.generate()
        try serviceClients.write(to: dataDirectory + "/service-clients.properties")
        let components = StackComponent.stack(names: names, binDirectory: binDirectory, dataDirectory: dataDirectory,
                                              portOffset: portOffset, baseEnvironment: environment,
                                              serviceClients: serviceClients)
        let supervisor = Supervisor(components: components)

        // Ctrl-C and SIGTERM end the stack; handled on a Dispatch source, not in a signal handler.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (stopRequests, stopContinuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stopContinuation.yield(signalNumber) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }

        let starting = Task { try await supervisor.start(readyTimeout: .seconds(readyTimeout)) }
        let outcome = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask { await starting.result }
            group.addTask {
                for await _ in stopRequests { return nil }
                return nil
            }
            let first = await group.next() ?? nil
            if case .success = first {
                await printStatus(supervisor)
                supervisor.log("shop", color: 1, "all ready; Ctrl-C or SIGTERM stops everything")
                _ = await group.next()
            }
            group.cancelAll()
            return first
        }
        starting.cancel()
        supervisor.log("shop", color: 1, "stopping")
        supervisor.stop(grace: .seconds(8))
        supervisor.log("shop", color: 1, "stopped")
        if case .failure(let error) = outcome {
            FileHandle.standardError.write(Data("shop up: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func printStatus(_ supervisor: Supervisor) async {
        var rows = [("SERVICE", "URL", "PID", "READY")]
        for component in supervisor.components {
            let ready = await supervisor.isReady(component)
            rows.append((component.name, component.url, supervisor.pid(of: component.name).map(String.init) ?? "-", ready ? "yes" : "no"))
        }
        let widths = (rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0, rows.map(\.2.count).max() ?? 0)
        var table = ""
        for row in rows {
            table += row.0.padding(toLength: widths.0 + 2, withPad: " ", startingAt: 0)
                + row.1.padding(toLength: widths.1 + 2, withPad: " ", startingAt: 0)
                + row.2.padding(toLength: widths.2 + 2, withPad: " ", startingAt: 0) + row.3 + "\n"
        }
        FileHandle.standardOutput.write(Data(table.utf8))
    }
}
