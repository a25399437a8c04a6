import Foundation
import Glibc
import Platform
import SWIM
import Synchronization

/// Runs one `SWIMInstance` for real: UDP for probes and piggybacked gossip (several SWIM
/// messages to one member compounded into one sealed packet of at most 1,400 bytes), TCP for
/// push-pull exchanges and fallback probes, all sealed with the keyring's primary key.
///
/// Threads: one receiver thread waits in `poll` on the UDP socket, the TCP listener and a
/// wake-up pipe, with a timeout that ends at the instance's next deadline; each TCP exchange
/// gets a short-lived thread of its own (they are rare: a push-pull every 30 s, a fallback
/// probe only when UDP failed). The instance, the keyring and the counters live behind one
/// mutex; every entry point runs under it, and the shell carries out the returned directives
/// (sealing is done under the lock, sending after it).
///
/// Time and randomness come from here: the instance gets the monotonic clock as `now` and a
/// seed from the system generator.
public final class GossipShell: Sendable {
    /// Where other members reach this one.
    public let address: SWIMAddress
    public let nodeID: SWIMNodeID
    let settings: GossipSettings
    let clusterID: UInt64
    let udp: DatagramSocket
    let listener: Listener
    let wakeReader: Int32
    let wakeWriter: Int32
    let origin: ContinuousClock.Instant
    let state: Mutex<State>
    let activeConnections = Atomic<Int>(0)
    let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Bounds the threads that incoming TCP connections can make this agent start.
    static let maximumConnections = 64
    static let membersFileName = "gossip-members"

    struct State {
        var instance: SWIMInstance
        var keyring: GossipKeyring
        var replayGuard = GossipReplayGuard()
        var sequence: UInt64
        var statistics = GossipStatistics()
        var subscribers: [UInt64: AsyncStream<SWIMEvent>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 0
        var stopping = false
        var joinSeeds: [SWIMAddress]
        var joinAttempts = 0
        var joined = false
        var nextJoinAt: SWIMInstant?
        var membersChanged = false
        var nextPersistAt = SWIMInstant.zero
    }

    /// What a batch of directives leaves to do outside the lock.
    struct Effects {
        var datagrams: [(packet: [UInt8], to: DatagramEndpoint)] = []
        var exchanges: [Exchange] = []
    }

    enum Exchange {
        case pushPull(SWIMAddress, state: [UInt8], isJoin: Bool)
        case probe(sequence: UInt32, target: SWIMNodeID, address: SWIMAddress, deadline: SWIMInstant)
    }

    /// Binds the sockets (UDP and TCP on one port), restores remembered members from the data
    /// directory, starts the receiver thread, and starts joining `settings.join` plus the
    /// remembered members.
    public static func start(settings: GossipSettings) throws(GossipError) -> GossipShell {
        do {
            try settings.swim.validate()
        } catch {
            throw .invalidSettings(error.description)
        }
        let host = settings.advertiseHost ?? settings.bindHost
        if host == "0.0.0.0" || host == "::" || host.isEmpty {
            throw .invalidSettings("binding \(settings.bindHost) needs an advertise address other members can reach")
        }
        let (udp, listener) = try bind(host: settings.bindHost, port: settings.port)
        let shell: GossipShell
        do {
            shell = try GossipShell(settings: settings, udp: udp, listener: listener, advertiseHost: host)
        } catch let error as GossipError {
            udp.close()
            listener.close()
            throw error
        } catch {
            udp.close()
            listener.close()
            throw .invalidSettings("\(error)")
        }
        let thread = Thread { shell.runReceiver() }
        thread.name = "gossip"
        thread.stackSize = 1 << 20
        thread.start()
        return shell
    }

    /// Binds UDP first (port 0 lets the kernel choose), then TCP on the same port; when TCP
    /// finds the chosen port taken, tries another.
    private static func bind(host: String, port: Int) throws(GossipError) -> (DatagramSocket, Listener) {
        var lastError = SocketError(operation: "bind \(host):\(port)", code: EADDRINUSE)
        for _ in 0..<(port == 0 ? 16 : 1) {
            let udp: DatagramSocket
            do {
                udp = try DatagramSocket(host: host, port: port)
            } catch {
                throw .socket(error)
            }
            do {
                return (udp, try Listener(host: host, port: udp.port))
            } catch {
                udp.close()
                lastError = error
            }
        }
        throw .socket(lastError)
    }

    private init(settings: GossipSettings, udp: DatagramSocket, listener: Listener, advertiseHost: String) throws {
        self.settings = settings
        self.nodeID = settings.nodeID
        self.clusterID = settings.clusterID
        self.udp = udp
        self.listener = listener
        self.address = SWIMAddress(host: advertiseHost, port: UInt16(udp.port))
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw GossipError.socket(SocketError(operation: "pipe", code: errno)) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeReader = ends[0]
        wakeWriter = ends[1]
        origin = .now

        let remembered = Self.loadMembers(settings.dataDirectory)
        let previousSelf = remembered.first { $0.member == settings.nodeID }
        let known = remembered.filter { $0.member != settings.nodeID && $0.status == .alive }
        var seeds = settings.join
        for member in known where !seeds.contains(member.address) { seeds.append(member.address) }
        var random = SystemRandomNumberGenerator()
        let instance = try SWIMInstance(
            id: settings.nodeID, address: address, metadata: settings.metadata,
            incarnation: previousSelf.map { $0.incarnation &+ 1 } ?? 0, settings: settings.swim,
            seed: random.next(), now: .zero, knownMembers: known)
        // Sequence numbers start from the wall clock, so a restarted agent's packets are newer
        // than anything its peers' replay windows saw from its previous run.
        let sequence = UInt64(max(0, ClockSource.wallNanosecondsSinceEpoch()))
        state = Mutex(State(instance: instance, keyring: settings.keyring, sequence: sequence, joinSeeds: seeds,
                            nextJoinAt: seeds.isEmpty ? nil : .zero))
    }

    deinit {
        Glibc.close(wakeReader)
        Glibc.close(wakeWriter)
    }

    // MARK: Queries

    /// This member as it announces itself.
    public var localMember: SWIMMember { state.withLock { $0.instance.myself } }

    /// Every other member known, including failed and left ones not yet forgotten.
    public var members: [SWIMMember] { state.withLock { $0.instance.members } }

    public var statistics: GossipStatistics { state.withLock { $0.statistics } }

    /// The protocol's own counters (probes started, failed, ended by a refusal, …).
    public var protocolStatistics: SWIMStatistics { state.withLock { $0.instance.statistics } }

    public var keyring: GossipKeyring { state.withLock { $0.keyring } }

    /// True once a join exchange with any seed succeeded (or none was asked for).
    public var hasJoined: Bool { state.withLock { $0.joined || $0.joinSeeds.isEmpty } }

    /// The membership changes from now on. The stream ends when the shell stops.
    public func events() -> AsyncStream<SWIMEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SWIMEvent.self, bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state -> UInt64? in
            guard !state.stopping else { return nil }
            state.nextSubscriberID += 1
            state.subscribers[state.nextSubscriberID] = continuation
            return state.nextSubscriberID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Commands

    /// Exchanges state with each address now (over TCP); returns how many answered. Like
    /// `serf join`: the cluster behind any one of them comes in through the exchange.
    public func join(_ addresses: [SWIMAddress]) async -> Int {
        let (local, stopping) = state.withLock { ($0.instance.fullState(), $0.stopping) }
        guard !stopping, let encoded = try? SWIM.SWIMCodec.encodeState(local) else { return 0 }
        return await withTaskGroup(of: Bool.self) { group in
            for address in addresses where address != self.address {
                group.addTask { await Self.onThread { self.pushPull(with: address, state: encoded, isJoin: true) } }
            }
            var answered = 0
            for await success in group where success { answered += 1 }
            return answered
        }
    }

    /// Announces new metadata (a new incarnation carries it everywhere).
    public func updateMetadata(_ metadata: SWIMMetadata) throws(GossipError) {
        let result = state.withLock { state -> Result<Effects, SWIMCodecError> in
            do throws(SWIMCodecError) {
                let directives = try state.instance.updateMetadata(metadata, now: now())
                return .success(process(directives, in: &state))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let effects): perform(effects)
        case .failure(let error): throw .invalidSettings(error.description)
        }
    }

    public func installKey(_ key: [UInt8]) throws(GossipError) {
        try changeKeyring { keyring throws(GossipKeyringError) in try keyring.install(key) }
    }

    public func useKey(_ key: [UInt8]) throws(GossipError) {
        try changeKeyring { keyring throws(GossipKeyringError) in try keyring.use(key) }
    }

    public func removeKey(_ key: [UInt8]) throws(GossipError) {
        try changeKeyring { keyring throws(GossipKeyringError) in try keyring.remove(key) }
    }

    func changeKeyring(_ change: (inout GossipKeyring) throws(GossipKeyringError) -> Void) throws(GossipError) {
        let failure = state.withLock { state -> GossipKeyringError? in
            do throws(GossipKeyringError) {
                try change(&state.keyring)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw .keyring(failure) }
    }

    /// Leaves gracefully: announces it, keeps gossiping for `leavePropagationTime` so that the
    /// news spreads, then stops.
    public func leave() async {
        let effects = state.withLock { state -> Effects? in
            guard !state.stopping else { return nil }
            return process(state.instance.leave(now: now()), in: &state)
        }
        guard let effects else { return }
        perform(effects)
        try? await Task.sleep(for: settings.leavePropagationTime)
        await stop()
    }

    /// Stops at once, without telling anyone (to the others it looks like a crash). Closes the
    /// sockets and ends every event stream.
    public func stop() async {
        let subscribers = state.withLock { state -> [AsyncStream<SWIMEvent>.Continuation] in
            state.stopping = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
        wakeUp()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { finished -> Bool in
                if finished.done { return true }
                finished.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: The receiver thread

    func runReceiver() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while let timeout = pollTimeout() {
            var descriptors = [
                pollfd(fd: udp.descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready > 0 {
                if descriptors[0].revents & Int16(POLLERR) != 0 { receiveRefusals() }
                if descriptors[0].revents & ~Int16(POLLERR) != 0 { receiveDatagrams(into: &buffer) }
                if descriptors[1].revents != 0 { acceptConnections() }
                if descriptors[2].revents != 0 {
                    var drain = (UInt64(0), UInt64(0))
                    while Glibc.read(wakeReader, &drain, MemoryLayout.size(ofValue: drain)) > 0 {}
                }
            }
            tick()
        }
        udp.close()
        listener.close()
        let waiters = finished.withLock { finished in
            finished.done = true
            defer { finished.waiters = [] }
            return finished.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Milliseconds until the next deadline (rounded up, at most a second), or nil when stopping.
    func pollTimeout() -> Int32? {
        state.withLock { state -> Int32? in
            guard !state.stopping else { return nil }
            var deadline = state.instance.nextDeadline
            if !state.joined, let joinAt = state.nextJoinAt { deadline = min(deadline, joinAt) }
            let remaining = deadline.nanoseconds &- now().nanoseconds
            if remaining <= 0 { return 0 }
            return Int32(min(1_000, (remaining + 999_999) / 1_000_000))
        }
    }

    func tick() {
        let (effects, snapshot) = state.withLock { state -> (Effects, [UInt8]?) in
            guard !state.stopping else { return (Effects(), nil) }
            let now = now()
            var directives: [SWIMDirective] = []
            if now >= state.instance.nextDeadline { directives = state.instance.onTick(now: now) }
            if !state.joined, let joinAt = state.nextJoinAt, now >= joinAt {
                state.joinAttempts += 1
                let limit = settings.joinRetryLimit
                state.nextJoinAt = limit > 0 && state.joinAttempts >= limit ? nil : now + settings.joinRetryInterval
                directives += state.instance.join(seeds: state.joinSeeds, now: now)
            }
            let effects = process(directives, in: &state)
            var snapshot: [UInt8]?
            if settings.dataDirectory != nil, state.membersChanged, now >= state.nextPersistAt {
                state.membersChanged = false
                state.nextPersistAt = now + .seconds(1)
                snapshot = try? SWIM.SWIMCodec.encodeState(state.instance.fullState())
            }
            return (effects, snapshot)
        }
        perform(effects)
        if let snapshot { persistMembers(snapshot) }
    }

    func receiveDatagrams(into buffer: inout [UInt8]) {
        // A bounded batch, so that a flood cannot starve the timers.
        for _ in 0..<256 {
            guard let receipt = buffer.withUnsafeMutableBytes({ udp.receive(into: $0) }) else { return }
            let packet = Array(buffer.prefix(min(receipt.length, buffer.count)))
            let effects = state.withLock { state -> Effects in
                state.statistics.packetsReceived += 1
                state.statistics.bytesReceived += receipt.length
                guard receipt.length <= GossipPacket.maximumDatagramLength else {
                    state.statistics.dropped[.malformed, default: 0] += 1
                    return Effects()
                }
                let body: [UInt8]
                switch GossipPacket.open(packet, clusterID: clusterID, keyring: state.keyring, replayGuard: &state.replayGuard) {
                case .failure(let reason):
                    state.statistics.dropped[reason, default: 0] += 1
                    return Effects()
                case .success(let (_, opened)): body = opened
                }
                guard case .datagrams(let messages) = GossipBody.decode(body) else {
                    state.statistics.dropped[.undecodable, default: 0] += 1
                    return Effects()
                }
                let from = SWIMAddress(host: receipt.sender.host, port: receipt.sender.port)
                var directives: [SWIMDirective] = []
                let now = now()
                for bytes in messages {
                    guard let message = try? SWIM.SWIMCodec.decode(bytes) else {
                        state.statistics.dropped[.undecodable, default: 0] += 1
                        continue
                    }
                    directives += state.instance.onMessage(message, from: from, now: now)
                }
                return process(directives, in: &state)
            }
            perform(effects)
        }
    }

    /// Tells the instance which of our datagrams were refused by their destination's host, so
    /// a probe of a member whose process is gone moves on without waiting out its timeout.
    func receiveRefusals() {
        let refusals = udp.takeRefusals()
        guard !refusals.isEmpty else { return }
        let effects = state.withLock { state -> Effects in
            state.statistics.refusalsReceived += refusals.count
            let now = now()
            var directives: [SWIMDirective] = []
            for endpoint in refusals {
                directives += state.instance.onDatagramRefused(by: SWIMAddress(host: endpoint.host, port: endpoint.port), now: now)
            }
            return process(directives, in: &state)
        }
        perform(effects)
    }

    func acceptConnections() {
        while true {
            switch listener.accept() {
            case .accepted(let socket):
                let active = activeConnections.add(1, ordering: .relaxed).newValue
                guard active <= Self.maximumConnections else {
                    activeConnections.subtract(1, ordering: .relaxed)
                    socket.close()
                    continue
                }
                let thread = Thread { [self] in
                    serve(socket)
                    socket.close()
                    activeConnections.subtract(1, ordering: .relaxed)
                }
                thread.stackSize = 1 << 19
                thread.start()
            case .wouldBlock, .failed:
                return
            }
        }
    }
}
