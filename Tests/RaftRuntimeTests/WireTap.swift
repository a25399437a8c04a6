import Foundation
import Platform
import Synchronization

/// A TCP relay on 127.0.0.1 that forwards every connection to `target` and keeps a copy of
/// all the bytes that crossed it, so a test can check what an eavesdropper on the link sees.
final class WireTap: Sendable {
    let port: Int
    private let listener: Listener
    private let recorded = Mutex<[UInt8]>([])
    private let stopped = Mutex(false)
    private let sockets = Mutex<[Socket]>([])

    init(forwardingTo targetPort: Int) throws {
        listener = try Listener(host: "127.0.0.1", port: 0)
        port = listener.port
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                switch listener.accept() {
                case .accepted(let client):
                    guard let server = try? Socket.connect(host: "127.0.0.1", port: targetPort, timeout: .seconds(5)) else {
                        client.close()
                        continue
                    }
                    sockets.withLock { $0 += [client, server] }
                    pump(from: client, to: server)
                    pump(from: server, to: client)
                case .wouldBlock, .failed:
                    usleep(5_000)
                }
            }
        }
        thread.start()
    }

    var bytes: [UInt8] { recorded.withLock { $0 } }

    private func pump(from source: Socket, to destination: Socket) {
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while !stopped.withLock({ $0 }) {
                let result = buffer.withUnsafeMutableBytes { source.receive(into: $0) }
                switch result {
                case .transferred(let count):
                    let chunk = Array(buffer[0..<count])
                    recorded.withLock { $0 += chunk }
                    guard (try? destination.sendAll(chunk, deadline: ContinuousClock.now.advanced(by: .seconds(5)))) != nil else { return }
                case .wouldBlock:
                    _ = source.waitUntilReadable(deadline: ContinuousClock.now.advanced(by: .milliseconds(100)))
                case .endOfFile, .failed:
                    destination.shutdown()
                    return
                }
            }
        }.start()
    }

    func stop() {
        stopped.withLock { $0 = true }
        listener.close()
        for socket in sockets.withLock({ $0 }) { socket.shutdown() }
    }
}
