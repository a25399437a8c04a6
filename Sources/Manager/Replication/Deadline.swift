import Synchronization

/// Runs `work` but stops waiting for it after `timeout`, returning nil then. The work itself
/// is not cancelled: a Raft proposal cannot be taken back, it only stops being waited for (and
/// its eventual result is dropped). Used so that a manager cut off from its peers answers
/// "outcome unknown" instead of holding a client's request forever.
enum Deadline {
    static func run<Value: Sendable>(
        timeout: Duration, _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value? {
        let once = ResumeOnce<Value?>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value?, any Error>) in
            once.set(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                once.resume(with: .success(nil))
            }
            Task {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await work())
                } catch {
                    result = .failure(error)
                }
                // Resume before cancelling: a cancelled timer wakes at once and must find the
                // continuation already taken.
                once.resume(with: result.map { $0 })
                timer.cancel()
            }
        }
    }
}

/// A continuation resumed by whichever of two racers comes first; the second finds nothing.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(with result: Result<Value, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
