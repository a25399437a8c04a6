import Raft
import Synchronization

/// What reaches a `RaftShell` from other threads between two turns of its loop: frames from
/// peers (the transport's reading threads) and proposals (client tasks), gathered under a
/// lock and taken all at once by the loop.
///
/// Why not an `AsyncStream` and a call into the actor per item: each of those is a task switch
/// or two, and at a few thousand puts a second the switches, not the Raft work, were the cost.
/// Here a producer appends and, only if the loop is not already due to run, starts it once.
final class RaftShellInbox: Sendable {
    struct Proposal {
        var command: [UInt8]
        var waiter: Waiter
    }

    /// Who waits for a proposal's result: a suspended task, or a callback for callers that
    /// answer from the shell's thread without a task (see `RaftShell.propose(_:completion:)`).
    enum Waiter {
        case task(CheckedContinuation<[UInt8], any Error>)
        case callback(@Sendable (Result<[UInt8], RaftShellError>) -> Void)

        func succeed(_ result: [UInt8]) {
            switch self {
            case .task(let continuation): continuation.resume(returning: result)
            case .callback(let callback): callback(.success(result))
            }
        }

        func fail(_ error: RaftShellError) {
            switch self {
            case .task(let continuation): continuation.resume(throwing: error)
            case .callback(let callback): callback(.failure(error))
            }
        }
    }

    struct Contents {
        var frames: [[UInt8]] = []
        var proposals: [Proposal] = []
        /// Peers whose connection to this node ended since the last turn.
        var peersGone: [RaftNodeID] = []
        /// Set when the shell stopped for good: proposals then fail at once.
        var failure: RaftShellError?
        /// Starts a turn of the shell's loop; set once the shell exists. Its argument says
        /// whether the caller is a transport thread, which may run the turn itself.
        var startTurn: (@Sendable (_ fromTransport: Bool) -> Void)?
    }

    private let contents = Mutex(Contents())
    /// True from the moment a producer asks for a turn of the loop until the loop takes the
    /// contents: later producers need not ask again.
    private let turnRequested = Atomic<Bool>(false)
    private let maxQueuedFrames: Int

    init(maxQueuedFrames: Int = 65_536) {
        self.maxQueuedFrames = maxQueuedFrames
    }

    /// How the inbox starts a turn of the loop (called outside the lock, at most once per turn).
    func onTurnRequested(_ startTurn: @escaping @Sendable (_ fromTransport: Bool) -> Void) {
        contents.withLock { $0.startTurn = startTurn }
    }

    /// Queues a peer's frame. When the loop has fallen far behind, the oldest frame is dropped
    /// (Raft treats it as lost).
    func add(frame: [UInt8]) {
        let startTurn = contents.withLock { contents -> (@Sendable (Bool) -> Void)? in
            guard contents.failure == nil else { return nil }
            if contents.frames.count >= maxQueuedFrames { contents.frames.removeFirst() }
            contents.frames.append(frame)
            return contents.startTurn
        }
        if let startTurn, requestTurn() { startTurn(true) }
    }

    /// Notes that `peer`'s connection to this node ended (see `FrameTransport.onInboundConnectionClosed`).
    func add(peerGone peer: RaftNodeID) {
        let startTurn = contents.withLock { contents -> (@Sendable (Bool) -> Void)? in
            guard contents.failure == nil else { return nil }
            contents.peersGone.append(peer)
            return contents.startTurn
        }
        if let startTurn, requestTurn() { startTurn(true) }
    }

    /// Queues a proposal. A shell that has stopped fails it at once instead.
    func add(proposal: Proposal) {
        let (failure, startTurn) = contents.withLock { contents -> (RaftShellError?, (@Sendable (Bool) -> Void)?) in
            if let failure = contents.failure { return (failure, nil) }
            contents.proposals.append(proposal)
            return (nil, contents.startTurn)
        }
        if let failure {
            proposal.waiter.fail(failure)
            return
        }
        if requestTurn() { startTurn?(false) }
    }

    /// Takes everything queued. The request flag is cleared first, so anything added after
    /// this call asks for a new turn.
    func take() -> (frames: [[UInt8]], proposals: [Proposal], peersGone: [RaftNodeID]) {
        turnRequested.store(false, ordering: .sequentiallyConsistent)
        return contents.withLock { contents in
            defer {
                contents.frames = []
                contents.proposals = []
                contents.peersGone = []
            }
            return (contents.frames, contents.proposals, contents.peersGone)
        }
    }

    /// Refuses every later proposal and returns those still queued, for the caller to fail.
    func close(with failure: RaftShellError) -> [Proposal] {
        contents.withLock { contents in
            if contents.failure == nil { contents.failure = failure }
            contents.startTurn = nil
            contents.frames = []
            defer { contents.proposals = [] }
            return contents.proposals
        }
    }

    private func requestTurn() -> Bool {
        !turnRequested.exchange(true, ordering: .sequentiallyConsistent)
    }
}
