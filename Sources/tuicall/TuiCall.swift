import ArgumentParser
import NIOCore
import NIOPosix

@main
struct TuiCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuicall",
        abstract: "A terminal video-call chat client that is a real WebRTC endpoint.",
        subcommands: [ClientCommand.self, ServeCommand.self, HeadlessCommand.self, DevicesCommand.self, BenchCommand.self],
        defaultSubcommand: ClientCommand.self)

    static func main() async {
        // The server spends its time in NIO: running Swift concurrency on NIO's event loops
        // removes a thread hop per message in each direction.
        if ServeCommand.isInvoked(by: CommandLine.arguments) {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release). Each prints JSON lines.",
        subcommands: [BenchServer.self, BenchRender.self, BenchCodec.self, BenchTransport.self, BenchCall.self, BenchBrowser.self])
}
