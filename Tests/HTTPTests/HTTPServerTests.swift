import Foundation
import Glibc
import HTTP
import Platform
import Synchronization
import Testing

@Suite("HTTP server") struct HTTPServerTests {
    static let echo: HTTPServer.Handler = { request in
        HTTPResponse.text("\(request.method) \(request.target) \(request.body.count)")
    }

    @Test func aClientGetsTheHandlersResponse() async throws {
        try await withServer(handler: Self.echo) { server in
            let client = try HTTPClient(address: server.address)
            let response = try await client.send(.post, "/v1/jobs?x=1", body: Array("hello".utf8))
            #expect(response.status == .ok)
            #expect(response.bodyText == "POST /v1/jobs?x=1 5")
        }
    }

    @Test func severalRequestsAreAnsweredOnOneKeptAliveConnection() async throws {
        try await withServer(handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            for index in 0..<5 {
                try connection.send("GET /\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                let (text, closed) = await connection.read { $0.hasSuffix("GET /\(index) 0") }
                #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(text.hasSuffix("GET /\(index) 0"))
                #expect(!closed)
            }
            #expect(server.connectionCount == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        // The first request is the slowest, so an out-of-order server would answer /2 first.
        let handler: HTTPServer.Handler = { request in
            if request.target == "/1" { try? await Task.sleep(for: .milliseconds(100)) }
            return .text("answer \(request.target)")
        }
        try await withServer(handler: handler) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send((1...3).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            let (text, _) = await connection.read { $0.contains("answer /3") }
            let first = try #require(text.range(of: "answer /1"))
            let second = try #require(text.range(of: "answer /2"))
            let third = try #require(text.range(of: "answer /3"))
            #expect(first.lowerBound < second.lowerBound && second.lowerBound < third.lowerBound)
        }
    }

    @Test func requestsTakenDirectlyAreAnsweredFromAnotherThreadInOrderWithTheOthers() async throws {
        let handled = Mutex<[String]>([])
        // Takes /direct/... and answers from a thread of its own; leaves the rest to the handler.
        let direct: HTTPServer.DirectHandler = { request, responder in
            guard request.target.hasPrefix("/direct/") else { return false }
            let thread = Thread { responder.respond(.text("answer \(request.target)")) }
            thread.start()
            return true
        }
        let server = HTTPServer(settings: testSettings(), direct: direct) { request in
            handled.withLock { $0.append(request.target) }
            return .text("answer \(request.target)")
        }
        try server.start()
        let connection = try RawConnection(port: server.port)
        let targets = ["/direct/1", "/handler/2", "/direct/3", "/direct/4", "/handler/5"]
        try connection.send(targets.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
        let (text, _) = await connection.read { $0.contains("answer /handler/5") }
        await server.shutdown()
        let positions = targets.compactMap { text.range(of: "answer \($0)")?.lowerBound }
        #expect(positions.count == targets.count)
        #expect(positions == positions.sorted())
        #expect(handled.withLock { $0 } == ["/handler/2", "/handler/5"])
    }

    @Test func anOversizedBodyIsRefusedWith413BeforeItIsSent() async throws {
        let handled = Atomic<Int>(0)
        let settings = testSettings(maxBodyBytes: 1024)
        try await withServer(settings, handler: { _ in
            handled.add(1, ordering: .relaxed)
            return .text("no")
        }) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            let (text, closed) = await connection.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 413 "))
            #expect(text.contains("\"code\":413"))
            #expect(text.contains("Connection: close"))
            #expect(closed)
            #expect(handled.load(ordering: .relaxed) == 0)
        }
    }

    @Test func hugeHeadersAreRefusedWith431() async throws {
        try await withServer(handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            let big = String(repeating: "a", count: 70 * 1024)
            try? connection.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n")
            let (text, closed) = await connection.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 431 "))
            #expect(closed)
        }
    }

    @Test func aMalformedRequestGets400AsJSON() async throws {
        try await withServer(handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("NONSENSE\r\n\r\n")
            let (text, closed) = await connection.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 400 "))
            #expect(text.contains("{\"code\":400,\"message\":"))
            #expect(closed)
        }
    }

    @Test func aSlowlorisClientIsCutOffWhileOthersAreServed() async throws {
        let settings = testSettings(headerReadTimeout: .milliseconds(300))
        try await withServer(settings, handler: Self.echo) { server in
            let slow = try RawConnection(port: server.port)
            try slow.send("GET / HTTP/1.1\r\nHost: x\r\n")
            let client = try HTTPClient(address: server.address)
            // Others are served while the slow client dribbles.
            for _ in 0..<3 {
                try? slow.send("X-Drip: 1\r\n")
                #expect(try await client.send(.get, "/fast").status == .ok)
            }
            let (text, closed) = await slow.read(timeout: .seconds(60)) { $0.contains("\"code\":408") }
            #expect(text.hasPrefix("HTTP/1.1 408 "))
            #expect(await slow.readToEnd().closed || closed)
        }
    }

    @Test func aThousandIdleConnectionsDoNotStopARequestBeingAnswered() async throws {
        try await withServer(handler: Self.echo) { server in
            var idle: [RawConnection] = []
            for _ in 0..<1000 { idle.append(try RawConnection(port: server.port)) }
            let allOpen = await eventually { server.connectionCount == 1000 }
            #expect(allOpen)
            let client = try HTTPClient(address: server.address)
            let response = try await client.send(.get, "/still-here")
            #expect(response.bodyText == "GET /still-here 0")
            // A few of the idle ones still work too.
            try idle[0].send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await idle[0].read { $0.hasSuffix("GET /idle 0") }.text.hasSuffix("GET /idle 0"))
            idle.removeAll()
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedWith503() async throws {
        try await withServer(testSettings(maxConnections: 2), handler: Self.echo) { server in
            let first = try RawConnection(port: server.port)
            let second = try RawConnection(port: server.port)
            #expect(await eventually { server.connectionCount == 2 })
            let third = try RawConnection(port: server.port)
            let (text, closed) = await third.readToEnd()
            #expect(text.hasPrefix("HTTP/1.1 503 "))
            #expect(closed)
            try first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await first.read { $0.hasSuffix("GET / 0") }.text.hasPrefix("HTTP/1.1 200"))
            _ = second
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withServer(testSettings(idleTimeout: .milliseconds(200)), handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let (_, closed) = await connection.readToEnd(timeout: .seconds(60))
            #expect(closed)
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func aStreamedResponseIsReadIncrementally() async throws {
        let (gate, release) = AsyncStream<Void>.makeStream()
        let handler: HTTPServer.Handler = { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            // Lifetime: until the stream finishes.
            Task {
                continuation.yield(Array("first\n".utf8))
                for await _ in gate { break }
                continuation.yield(Array("second\n".utf8))
                continuation.finish()
            }
            return HTTPResponse(stream: stream)
        }
        try await withServer(handler: handler) { server in
            let client = try HTTPClient(address: server.address)
            let response = try await client.stream(.get, "/logs")
            #expect(response.status == .ok)
            #expect(response.headers["Transfer-Encoding"] == "chunked")
            var iterator = response.body.makeAsyncIterator()
            // The first piece arrives while the handler is still holding the second back.
            #expect(try await iterator.next().map { String(decoding: $0, as: UTF8.self) } == "first\n")
            release.yield()
            #expect(try await iterator.next().map { String(decoding: $0, as: UTF8.self) } == "second\n")
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func aClientGoingAwayStopsTheStream() async throws {
        let stopped = Atomic<Bool>(false)
        let handler: HTTPServer.Handler = { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.onTermination = { _ in stopped.store(true, ordering: .relaxed) }
            continuation.yield(Array("line\n".utf8))
            return HTTPResponse(stream: stream)
        }
        try await withServer(handler: handler) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /follow HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await connection.read { $0.contains("line\n") }.text.contains("line\n"))
            connection.socket.close()
            #expect(await eventually { stopped.load(ordering: .relaxed) })
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func aClientThatNeverReadsAStreamIsDisconnectedAfterTheWriteTimeout() async throws {
        let stopped = Flag()
        let handler: HTTPServer.Handler = { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(4))
            continuation.onTermination = { _ in stopped.set() }
            // Lifetime: until the server stops iterating the stream.
            Task {
                let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
                while !stopped.isSet {
                    continuation.yield(piece)
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
            return HTTPResponse(stream: stream)
        }
        try await withServer(testSettings(writeTimeout: .milliseconds(300)), handler: handler) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { stopped.isSet })
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func gracefulShutdownFinishesAnInFlightRequest() async throws {
        let started = Atomic<Bool>(false)
        let handler: HTTPServer.Handler = { _ in
            started.store(true, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(300))
            return .text("finished")
        }
        let server = HTTPServer(settings: testSettings(), handler: handler)
        try server.start()
        let idle = try RawConnection(port: server.port)
        let busy = try RawConnection(port: server.port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await eventually { started.load(ordering: .relaxed) })
        await server.shutdown()
        let (text, closed) = await busy.readToEnd()
        #expect(text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(text.contains("Connection: close"))
        #expect(text.hasSuffix("finished"))
        #expect(closed)
        #expect(await idle.readToEnd().closed)
        #expect(throws: (any Error).self) { _ = try RawConnection(port: server.port) }
    }

    @Test func expectContinueGetsAnInterimResponse() async throws {
        try await withServer(handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
            #expect(await connection.read { $0.contains("\r\n\r\n") }.text == "HTTP/1.1 100 Continue\r\n\r\n")
            try connection.send("abc")
            #expect(await connection.read { $0.hasSuffix("POST /up 3") }.text.contains("200 OK"))
        }
    }

    @Test func http10ClientsGetAClosedConnectionAfterTheResponse() async throws {
        try await withServer(handler: Self.echo) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /old HTTP/1.0\r\n\r\n")
            let (text, closed) = await connection.readToEnd()
            #expect(text.contains("Content-Length: 10"))
            #expect(text.hasSuffix("GET /old 0"))
            #expect(closed)
        }
    }

    @Test func aChunkedRequestBodyReachesTheHandler() async throws {
        try await withServer(handler: { .text($0.bodyText) }) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(await connection.read { $0.hasSuffix("hello") }.text.hasSuffix("\r\n\r\nhello"))
        }
    }

    @Test func headResponsesCarryNoBody() async throws {
        try await withServer(handler: Self.echo) { server in
            let client = try HTTPClient(address: server.address)
            let response = try await client.send(.head, "/x")
            #expect(response.status == .ok)
            #expect(response.body.isEmpty)
            #expect(response.headers["Content-Length"] == "9")
            // The connection stays usable after a bodiless response.
            #expect(try await client.get("/y").bodyText == "GET /y 0")
        }
    }
}

@Suite("HTTP server shutdown") struct HTTPServerShutdownTests {
    @Test func shutdownEndsAnOpenStreamCleanlyWithoutWaitingForTheGracePeriod() async throws {
        let handler: HTTPServer.Handler = { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.yield(Array("tail\n".utf8))
            return HTTPResponse(stream: stream)
        }
        let server = HTTPServer(settings: testSettings(shutdownGracePeriod: .seconds(600)), handler: handler)
        try server.start()
        let client = try HTTPClient(address: server.address)
        let response = try await client.stream(.get, "/follow")
        var iterator = response.body.makeAsyncIterator()
        #expect(try await iterator.next().map { String(decoding: $0, as: UTF8.self) } == "tail\n")
        // With a 600 s grace period, returning at all shows the stream did not hold shutdown up.
        await server.shutdown()
        // The stream ends normally (a last chunk, no error).
        #expect(try await iterator.next() == nil)
    }
}
