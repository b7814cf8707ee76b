import ArgumentParser

@main
struct TuiCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuicall",
        abstract: "A terminal video-call chat client that is a real WebRTC endpoint.",
        subcommands: [ServeCommand.self, DevicesCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self)
}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release). Each prints JSON lines.",
        subcommands: [BenchServer.self, BenchRender.self, BenchCodec.self])
}
