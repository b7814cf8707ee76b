import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

@main
struct TuiCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuicall",
        abstract: "A terminal video-call chat client that is a real WebRTC endpoint.",
        discussion: """
            `tuicall` alone starts the terminal client: `tuicall --server ws://HOST:6503 --name NAME`. \
            Its options: `tuicall client --help`; `tuicall --check-config` checks the config file. Keys in the client: Tab chat, arrows select, Enter calls, \
            a/d answer, h hangs up, q quits.
            """,
        version: TuiCall.version,
        subcommands: [ClientCommand.self, ServeCommand.self, HeadlessCommand.self, DevicesCommand.self, BenchCommand.self],
        defaultSubcommand: ClientCommand.self)

    /// `tuicall --version`.
    static let version = "tuicall 0.3.0"

    static func main() async {
        // The server spends its time in NIO: running Swift concurrency on NIO's event loops
        // removes a thread hop per message in each direction.
        if ServeCommand.isInvoked(by: CommandLine.arguments) {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            // The client's config file is command-line arguments in front of the user's own.
            let arguments: [String]
            do {
                if CommandLine.arguments.dropFirst().first == "--check-config" {
                    print(try ClientConfigArguments.check())
                    return
                }
                arguments = try ClientConfigArguments.expand(Array(CommandLine.arguments.dropFirst()))
            } catch {
                FileHandle.standardError.write(Data("tuicall: \(error)\n".utf8))
                Foundation.exit(64)
            }
            var command = try parseAsRoot(arguments)
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
        subcommands: [BenchServer.self, BenchHostile.self, BenchRender.self, BenchCodec.self, BenchTransport.self, BenchCall.self, BenchBrowser.self, BenchNetwork.self, BenchScenarios.self])
}
