import ArgumentParser
import ConfigServer
import Foundation
import ServiceKit

/// `shop check-config [DIR]`: every key of a configuration repository's properties files is one that the
/// service the file is for reads (`application*.properties`: any service). A misspelt key would otherwise
/// be ignored in silence; the services also warn at start-up, but this checks before anything runs.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration repository for keys no service reads.",
        discussion: "Exit code 0 when every key is known, 1 when some are not (each is printed), 2 for a usage error."
    )

    @Argument(help: "The directory of *.properties files (default ./config-repo).")
    var directory: String = "./config-repo"

    func run() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".properties") }.sorted()
        let services = Services.all
        var problems: [String] = []
        for file in files {
            let stem = String(file.dropLast(".properties".count))
            let application = String(stem.split(separator: "-", maxSplits: 1).first ?? Substring(stem))
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            let properties: [String: String]
            do {
                properties = try PropertiesFile.parse(data)
            } catch {
                problems.append("\(file):\(error.line): \(error.reason)")
                continue
            }
            // application*.properties applies to every service: a key is fine when any of them reads it.
            let readers = application == "application" ? services : services.filter { $0.name == application }
            guard !readers.isEmpty else {
                problems.append("\(file): no service is named '\(application)' (services: \(Services.names.joined(separator: ", ")))")
                continue
            }
            for key in properties.keys.sorted() {
                let unknownToAll = readers.allSatisfy { service in
                    SettingsAudit.unknownKeys(service: service.name, known: service.settingNames,
                                              otherServices: [], remote: [key: ""], environment: [:]).contains { $0.key == key }
                }
                if unknownToAll { problems.append("\(file): \(key) is read by no service\(readers.count == 1 ? " (\(application))" : "")") }
            }
        }
        if problems.isEmpty {
            print("\(files.count) files, every key known")
        } else {
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}
