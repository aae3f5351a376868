import ArgumentParser

@main
struct Shop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shop",
        abstract: "Run the shop's services.",
        discussion: "Every setting is an environment variable (see the README's configuration table); flags override them.",
        subcommands: [Up.self, Serve.self, CheckConfig.self, Load.self]
    )
}
