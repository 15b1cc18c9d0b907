import Dispatch

/// Runs blocking `work` (waiting for a child process such as git, taking a file lock) on a
/// dispatch thread and suspends until it is done, so that it never holds one of the threads Swift
/// runs tasks on: there are as many of those as cores (two on a small machine), and each one
/// blocked stalls every other task, servers' request handlers included.
public func offloadBlocking<Value: Sendable, Failure: Error>(
    _ work: @escaping @Sendable () throws(Failure) -> Value
) async throws(Failure) -> Value {
    let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
        }
    }
    return try result.get()
}
