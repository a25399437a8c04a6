import Foundation
import Glibc
import Platform
import SWIM

/// Carrying out directives (sealing and compounding datagrams, starting exchanges, publishing
/// events), and the shell's clock, wake-ups and remembered members.
extension GossipShell {
    /// Turns directives into sealed packets and exchanges (under the lock: sealing takes the
    /// next sequence number) and publishes events.
    func process(_ directives: [SWIMDirective], in state: inout State) -> Effects {
        var effects = Effects()
        var outgoing: [SWIMAddress: [[UInt8]]] = [:]
        var order: [SWIMAddress] = []
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                guard let bytes = try? SWIM.SWIMCodec.encode(message) else { continue }
                if outgoing[address] == nil { order.append(address) }
                outgoing[address, default: []].append(bytes)
                state.statistics.messagesSent += 1
            case .probeOverTCP(let sequence, let target, let address, let deadline):
                effects.exchanges.append(.probe(sequence: sequence, target: target, address: address, deadline: deadline))
            case .pushPull(let address, let localState, let isJoin):
                guard let encoded = try? SWIM.SWIMCodec.encodeState(localState) else { continue }
                effects.exchanges.append(.pushPull(address, state: encoded, isJoin: isJoin))
            case .event(let event):
                state.membersChanged = true
                for subscriber in state.subscribers.values { subscriber.yield(event) }
            }
        }
        let budget = GossipPacket.maximumDatagramLength - GossipPacket.sealingOverhead - GossipBody.compoundOverhead
        for address in order {
            let endpoint = DatagramEndpoint(host: address.host, port: address.port)
            var batch: [[UInt8]] = []
            var used = 0
            for message in outgoing[address] ?? [] {
                let size = message.count + GossipBody.perMessageOverhead
                if !batch.isEmpty, used + size > budget || batch.count == GossipBody.maximumCompoundCount {
                    effects.datagrams.append((seal(GossipBody.datagrams(batch).encoded, in: &state), endpoint))
                    batch = []
                    used = 0
                }
                batch.append(message)
                used += size
            }
            if !batch.isEmpty { effects.datagrams.append((seal(GossipBody.datagrams(batch).encoded, in: &state), endpoint)) }
        }
        for datagram in effects.datagrams {
            state.statistics.packetsSent += 1
            state.statistics.bytesSent += datagram.packet.count
        }
        return effects
    }

    func perform(_ effects: Effects) {
        for datagram in effects.datagrams { udp.send(datagram.packet, to: datagram.to) }
        for exchange in effects.exchanges {
            let thread = Thread { [self] in
                switch exchange {
                case .pushPull(let address, let encoded, let isJoin):
                    _ = pushPull(with: address, state: encoded, isJoin: isJoin)
                case .probe(let sequence, let target, let address, let deadline):
                    probeOverTCP(sequence: sequence, target: target, address: address, deadline: deadline)
                }
            }
            thread.stackSize = 1 << 19
            thread.start()
        }
    }

    // MARK: Time, wake-ups, persistence

    func now() -> SWIMInstant {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return SWIMInstant(nanoseconds: seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }

    func instant(_ swim: SWIMInstant) -> ContinuousClock.Instant {
        origin.advanced(by: .nanoseconds(swim.nanoseconds))
    }

    func wakeUp() {
        var one: UInt8 = 1
        _ = Glibc.write(wakeWriter, &one, 1)
    }

    func persistMembers(_ snapshot: [UInt8]) {
        guard let directory = settings.dataDirectory else { return }
        let path = (directory as NSString).appendingPathComponent(Self.membersFileName)
        try? Data(snapshot).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func loadMembers(_ directory: String?) -> [SWIMGossip] {
        guard let directory else { return [] }
        let path = (directory as NSString).appendingPathComponent(membersFileName)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return (try? SWIM.SWIMCodec.decodeState([UInt8](data))) ?? []
    }

    /// Runs blocking work on a thread of its own, so that the cooperative pool never waits on
    /// a socket.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 1 << 19
            thread.start()
        }
    }
}
