import ArgumentParser

@main
struct Shop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shop",
        abstract: "Run the shop's services."
    )
}
