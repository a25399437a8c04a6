import Glibc
import Platform
import SWIM

/// The TCP side: push-pull exchanges of the full state and fallback probes, each one request
/// and one reply over a fresh connection, sealed like the datagrams.
extension GossipShell {
    /// Answers one incoming TCP exchange: a push-pull (reply with the state as it was before
    /// merging the peer's) or a fallback probe (ack it when it names this member).
    func serve(_ socket: Socket) {
        let deadline = ContinuousClock.now.advanced(by: settings.tcpTimeout)
        guard let frame = try? GossipStream.readFrame(from: socket, deadline: deadline),
              let body = openFrame(frame) else { return }
        let reply: GossipBody
        switch body {
        case .pushPullRequest(let encoded, _):
            guard let remote = try? SWIM.SWIMCodec.decodeState(encoded) else {
                count(.undecodable)
                return
            }
            let (local, effects) = state.withLock { state -> ([SWIMGossip], Effects) in
                let local = state.instance.fullState()
                let directives = state.instance.onPushPull(remote, now: now())
                return (local, process(directives, in: &state))
            }
            perform(effects)
            guard let encodedLocal = try? SWIM.SWIMCodec.encodeState(local) else { return }
            reply = .pushPullReply(state: encodedLocal)
        case .probe(let sequence, let target):
            guard target == nodeID else { return }
            reply = .probeAck(sequence: sequence)
        default:
            count(.undecodable)
            return
        }
        let packet = seal(reply)
        if (try? GossipStream.writeFrame(packet, to: socket, deadline: deadline)) != nil {
            state.withLock { $0.statistics.tcpBytesSent += packet.count + 4 }
        }
    }

    /// Sends our state to `address` and merges its reply. Returns whether it answered.
    func pushPull(with address: SWIMAddress, state encoded: [UInt8], isJoin: Bool) -> Bool {
        let reply = exchange(with: address, .pushPullRequest(state: encoded, isJoin: isJoin),
                             deadline: ContinuousClock.now.advanced(by: settings.tcpTimeout))
        guard case .success(.pushPullReply(let encodedRemote)) = reply,
              let remote = try? SWIM.SWIMCodec.decodeState(encodedRemote) else { return false }
        let effects = state.withLock { state -> Effects in
            if isJoin { state.joined = true }
            return process(state.instance.onPushPull(remote, now: now()), in: &state)
        }
        perform(effects)
        return true
    }

    func probeOverTCP(sequence: UInt32, target: SWIMNodeID, address: SWIMAddress, deadline: SWIMInstant) {
        var outcome = SWIMFallbackOutcome.noAnswer
        switch exchange(with: address, .probe(sequence: sequence, target: target), deadline: instant(deadline)) {
        case .success(.probeAck(let acked)) where acked == sequence: outcome = .acknowledged
        case .failure(.refused): outcome = .refused
        default: break
        }
        let effects = state.withLock { state -> Effects in
            process(state.instance.onTCPFallbackResult(sequence: sequence, target: target, outcome: outcome, now: now()),
                    in: &state)
        }
        perform(effects)
    }

    /// Why a TCP exchange got no reply: the peer's host refused the connection (nothing listens
    /// there), or anything else (timeout, reset, a reply that did not open).
    enum ExchangeFailure: Error {
        case refused
        case failed
    }

    /// One request and its reply over a fresh TCP connection.
    func exchange(with address: SWIMAddress, _ request: GossipBody, deadline: ContinuousClock.Instant) -> Result<GossipBody, ExchangeFailure> {
        let timeout = deadline - ContinuousClock.now
        let socket: Socket
        do throws(SocketError) {
            guard timeout > .zero else { throw SocketError(operation: "connect", code: ETIMEDOUT) }
            socket = try Socket.connect(host: address.host, port: Int(address.port), timeout: timeout)
        } catch {
            state.withLock { $0.statistics.tcpFailures += 1 }
            return .failure(error.code == ECONNREFUSED ? .refused : .failed)
        }
        defer { socket.close() }
        let packet = seal(request)
        guard (try? GossipStream.writeFrame(packet, to: socket, deadline: deadline)) != nil,
              let frame = try? GossipStream.readFrame(from: socket, deadline: deadline),
              let body = openFrame(frame)
        else {
            state.withLock { $0.statistics.tcpFailures += 1 }
            return .failure(.failed)
        }
        state.withLock {
            $0.statistics.tcpExchanges += 1
            $0.statistics.tcpBytesSent += packet.count + 4
        }
        return .success(body)
    }

    func openFrame(_ frame: [UInt8]) -> GossipBody? {
        state.withLock { state -> GossipBody? in
            switch GossipPacket.open(frame, clusterID: clusterID, keyring: state.keyring, replayGuard: &state.replayGuard) {
            case .failure(let reason):
                state.statistics.dropped[reason, default: 0] += 1
                return nil
            case .success(let (_, body)):
                guard let decoded = GossipBody.decode(body) else {
                    state.statistics.dropped[.undecodable, default: 0] += 1
                    return nil
                }
                return decoded
            }
        }
    }

    func seal(_ body: GossipBody) -> [UInt8] {
        state.withLock { state in seal(body.encoded, in: &state) }
    }

    func seal(_ body: [UInt8], in state: inout State) -> [UInt8] {
        state.sequence &+= 1
        return GossipPacket.seal(body, clusterID: clusterID, sender: nodeID, sequence: state.sequence, keyring: state.keyring)
    }

    func count(_ reason: GossipDropReason) {
        state.withLock { $0.statistics.dropped[reason, default: 0] += 1 }
    }
}
