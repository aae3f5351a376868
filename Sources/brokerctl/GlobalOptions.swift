import ArgumentParser

/// Lets the options every command shares (`--bootstrap`, `--timeout`, `--json`) come before the
/// subcommand too, as with kcat and kubectl: `brokerctl -b HOST:PORT topic list`. ArgumentParser reads
/// them only after the command they belong to, so they are moved there before parsing.
enum GlobalOptions {
    /// Options that take a value, in every spelling.
    static let withValue: Set<String> = ["-b", "--bootstrap", "--timeout"]
    static let flags: Set<String> = ["--json"]

    static func reordered(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var moved: [String] = []
        var path: [String] = []
        var command: any ParsableCommand.Type = root
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if withValue.contains(name) {
                moved.append(argument)
                // `--bootstrap=x` carries its value; `--bootstrap x` takes the next argument.
                if !argument.contains("="), index + 1 < arguments.endIndex {
                    moved.append(arguments[index + 1])
                    index += 1
                }
            } else if flags.contains(argument) {
                moved.append(argument)
            } else if argument.hasPrefix("-b"), argument.count > 2, !argument.hasPrefix("--") {
                moved.append(argument)   // -bHOST:PORT
            } else if let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) {
                path.append(argument)
                command = next
            } else {
                // The first argument that is neither a shared option nor a subcommand: the rest stays as written.
                break
            }
            index += 1
        }
        guard !moved.isEmpty else { return arguments }
        return path + moved + arguments[index...]
    }
}
