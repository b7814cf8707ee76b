#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A self-pipe that wakes the UI thread's poll(2): other threads and signal handlers write one
/// byte (0 for "look at your queues", a signal number for a signal). Both ends are non-blocking,
/// so a writer never stalls when the UI is busy (a full pipe already means "wake up").
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32
    /// Byte written by `wake()`: not a signal number.
    static let wakeByte: UInt8 = 0

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CLIError("cannot create the UI wake pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]; writeFD = fds[1]
    }

    deinit { close(readFD); close(writeFD) }

    /// Wakes the reader (safe from any thread).
    func wake() {
        var b = WakePipe.wakeByte
        _ = write(writeFD, &b, 1)
    }

    /// Reads everything pending; returns the signal numbers among it, in order.
    func drain() -> [Int32] {
        var signals: [Int32] = []
        var buf = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buf.withUnsafeMutableBytes { read(readFD, $0.baseAddress, 256) }
            if n <= 0 { break }
            for b in buf[0..<n] where b != WakePipe.wakeByte { signals.append(Int32(b)) }
        }
        return signals
    }
}

/// The write end the signal handler uses (a C handler cannot capture context).
nonisolated(unsafe) private var signalWakeFD: Int32 = -1

private func onSignal(_ sig: Int32) {
    // Only async-signal-safe work here: one write(2).
    var b = UInt8(truncatingIfNeeded: sig)
    _ = write(signalWakeFD, &b, 1)
}

/// Routes SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP and SIGCONT to the wake pipe, so the
/// UI thread handles them (restoring the terminal, re-laying out, suspending) whichever thread the
/// kernel picked: ncurses' own handlers would touch the screen from that other thread.
enum SignalTrap {
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT, SIGTSTP]
    /// Signals that end the client (after restoring the terminal).
    static let terminating: Set<Int32> = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Installs the handlers (after ncurses', which they replace) writing to `pipe`.
    static func install(_ pipe: WakePipe) {
        signalWakeFD = pipe.writeFD
        for sig in handled {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = onSignal
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = SA_RESTART
            _ = sigaction(sig, &sa, nil)
        }
    }

    /// Puts the default actions back (after the terminal is restored).
    static func uninstall() {
        for sig in handled { signal(sig, SIG_DFL) }
    }
}
