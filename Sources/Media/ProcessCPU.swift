import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time a process has used, from /proc (benchmarks compare processes that share the machine).
public enum ProcessCPU {
    /// User + system CPU seconds of every thread of live process `pid`; 0 when it is gone.
    public static func seconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state ppid pgrp ... utime is field 14, stime 15 (1-based).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's CPU seconds so far.
    public static func ownSeconds() -> Double { seconds(pid: getpid()) }
}
