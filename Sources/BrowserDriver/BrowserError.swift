import Foundation
import Logging
import Synchronization

/// A browser step that took too long or went wrong, with what was expected.
public struct BrowserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body`, failing with `what` if it takes longer than `seconds`. On timeout the body is
/// cancelled and abandoned, not awaited, so even a body that ignores cancellation cannot hang the caller.
@discardableResult
public func withTimeout<T: Sendable>(_ seconds: Double, _ what: String,
                                     _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let settled = Once()
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let work = Task {
            let result = await Result(catching: { try await body() })
            if settled.claim() { c.resume(with: result) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if settled.claim() {
                work.cancel()
                c.resume(throwing: BrowserError("timed out after \(seconds) s waiting for \(what)"))
            }
        }
    }
}

/// True for the first caller of `claim()` only.
final class Once: Sendable {
    private let flag = Atomic<Bool>(false)
    func claim() -> Bool { !flag.exchange(true, ordering: .acquiringAndReleasing) }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// The DevTools WebSocket's own logging: only failures that matter.
let quietLogger: Logger = {
    var l = Logger(label: "browser-driver")
    l.logLevel = .critical
    return l
}()
