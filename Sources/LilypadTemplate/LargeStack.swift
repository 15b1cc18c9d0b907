import Foundation

/// Runs deeply recursive work (parsing, executing, decoding) with enough stack.
///
/// Go's goroutine stacks grow on demand up to 1 GB, so Go templates may nest and recurse (up to 100000
/// `{{template}}` calls) far deeper than a thread's fixed stack allows. Work first runs on the calling thread
/// with a small stack budget; if it outgrows that budget it is abandoned and run again from the start on a
/// thread with a 1 GiB stack (reserved address space: only the pages actually used are committed). The work
/// is pure, so running it twice is safe. On the large stack, a ``StackGuard`` stops it with an error where
/// Go would die of a fatal stack overflow.
enum LargeStack {
    static let size = 1 << 30
    /// Room kept free below the large stack's limit for the frames between two checks.
    static let reserve = 64 << 20
    /// How much of the calling thread's stack a first attempt may use (threads have at least 512 KiB).
    static let callerBudget = 192 << 10

    private final class Outcome<Success: Sendable, Failure: Error>: @unchecked Sendable {
        var result: Result<Success, Failure>?
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs `body`, first on the calling thread (unless `deep`), then if needed on a large stack.
    static func run<Success: Sendable, Failure: Error>(
        deep: Bool = false, _ body: @escaping @Sendable (StackGuard) throws(Failure) -> Success
    ) throws(Failure) -> Success {
        if !deep {
            let shallow = StackGuard(limit: callerBudget)
            do {
                return try body(shallow)
            } catch {
                if !shallow.wasExhausted { throw error }
            }
        }
        let outcome = Outcome<Success, Failure>()
        let thread = Thread {
            let stack = StackGuard(limit: size - reserve)
            outcome.result = Result { () throws(Failure) in try body(stack) }
            outcome.done.signal()
        }
        thread.stackSize = size
        thread.start()
        outcome.done.wait()
        guard let result = outcome.result else { preconditionFailure("the worker thread finished without a result") }
        return try result.get()
    }
}

/// Measures how much stack the current work uses, from where the guard was made.
///
/// A guard belongs to one piece of work on one thread; it is a class only so that the runner can see
/// whether the work stopped because the guard tripped.
final class StackGuard: @unchecked Sendable {
    private let base: UInt
    private let limit: UInt
    /// Whether ``isExhausted`` ever answered yes.
    private(set) var wasExhausted = false

    init(limit: Int) {
        base = Self.currentAddress()
        self.limit = UInt(limit)
    }

    /// Whether the stack has grown past the limit; work that sees this must stop with an error.
    var isExhausted: Bool {
        let current = Self.currentAddress()
        if (base > current ? base - current : current - base) > limit { wasExhausted = true }
        return wasExhausted
    }

    @inline(never)
    private static func currentAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}
