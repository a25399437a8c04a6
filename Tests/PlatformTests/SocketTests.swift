import Glibc
import Platform
import Synchronization
import Testing

@Suite("Sockets and the event loop") struct SocketTests {
    @Test func aListenerOnPortZeroReportsTheEphemeralPortItGot() throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        #expect(listener.port > 0)
        let client = try Socket.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(5))
        defer { client.close() }
        var accepted: Socket?
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while accepted == nil && ContinuousClock.now < deadline {
            if case .accepted(let socket) = listener.accept() { accepted = socket }
        }
        let server = try #require(accepted)
        defer { server.close() }
        try client.sendAll(Array("ping".utf8), deadline: deadline)
        #expect(server.waitUntilReadable(deadline: deadline))
        var buffer = [UInt8](repeating: 0, count: 16)
        let result = buffer.withUnsafeMutableBytes { server.receive(into: $0) }
        #expect(result == .transferred(4))
        client.close()
        #expect(server.waitUntilReadable(deadline: deadline))
        #expect(buffer.withUnsafeMutableBytes { server.receive(into: $0) } == .endOfFile)
    }

    @Test func bindingATakenPortFailsWithTheReason() throws {
        let first = try Listener(host: "127.0.0.1", port: 0)
        defer { first.close() }
        #expect(throws: SocketError.self) { try Listener(host: "127.0.0.1", port: first.port) }
    }

    @Test func connectingToAClosedPortIsRefused() throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.port
        listener.close()
        do {
            _ = try Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            Issue.record("expected connection refused")
        } catch {
            #expect(error.reason == "connection refused")
        }
    }

    @Test func workSubmittedToTheEventLoopRunsOnItsThread() async throws {
        let loop = try EventLoop()
        loop.start(name: "test-loop")
        let onLoop = await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: loop.inLoopThread) }
        }
        #expect(onLoop)
        #expect(!loop.inLoopThread)
        loop.stop()
        await loop.waitUntilStopped()
        #expect(!loop.execute {})
    }

    @Test func theEventLoopReportsAReadableSocket() async throws {
        let loop = try EventLoop()
        loop.start(name: "test-loop")
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let accepted = Mutex(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                try? loop.register(listener.descriptor, interest: .readable) { _ in
                    if case .accepted(let socket) = listener.accept() {
                        socket.close()
                        accepted.withLock { $0 = true }
                    }
                }
                continuation.resume()
            }
        }
        let client = try Socket.connect(host: "127.0.0.1", port: listener.port, timeout: .seconds(5))
        defer { client.close() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !accepted.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(accepted.withLock { $0 })
        loop.stop()
        await loop.waitUntilStopped()
    }

    @Test func theOpenFileLimitIsRaisedToTheHardLimit() {
        let limits = SocketLimits.raiseOpenFileLimit()
        #expect(limits.soft == limits.hard)
        #expect(limits.soft >= 1024)
    }
}

@Suite("Signal watcher") struct SignalWatcherTests {
    @Test func aWatchedSignalIsDeliveredInsteadOfKillingTheProcess() async throws {
        let (watcher, signals) = SignalWatcher.stream(signals: [SIGUSR2])
        defer { watcher.cancel() }
        kill(getpid(), SIGUSR2)
        var iterator = signals.makeAsyncIterator()
        #expect(await iterator.next() == SIGUSR2)
    }
}
