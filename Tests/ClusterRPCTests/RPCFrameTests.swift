import Testing
import Wire

@testable import ClusterRPC

/// The plaintext layout inside the encrypted stream (docs/security.md, "Worker RPC").
@Suite struct RPCFrameTests {
    @Test func requestsAndResponsesSurviveEncodingAndDecoding() throws {
        let frames: [RPCFrame] = [
            .request(id: 1, method: "heartbeat", body: Array("{}".utf8)),
            .request(id: UInt64.max, method: "allocations", body: []),
            .response(id: 300, result: .success([1, 2, 3])),
            .response(id: 5, result: .failure(RPCError(.forbidden, "not yours"))),
        ]
        for frame in frames {
            #expect(try RPCFrame(decoding: frame.encoded, bodyLimit: 1_024) == frame)
        }
    }

    @Test func theRequestLayoutIsKindThenIDThenMethodThenBody() {
        #expect(RPCFrame.request(id: 2, method: "hb", body: [9]).encoded == [1, 2, 2, 0x68, 0x62, 1, 9])
        #expect(RPCFrame.response(id: 2, result: .success([])).encoded == [2, 2, 0, 0])
    }

    @Test func malformedFramesAreRefusedWithTheFieldNamedAndNeverCrash() {
        let cases: [([UInt8], String)] = [
            ([], "rpc frame kind"),
            ([9, 1], "rpc frame kind"),
            ([1], "rpc request id"),
            ([1, 1, 200, 1], "rpc method"),
            ([1, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F], "rpc request body"),
            ([2, 1, 3], "rpc response status"),
            ([1, 1, 0, 0, 0], "after the end"),
        ]
        for (bytes, field) in cases {
            do {
                _ = try RPCFrame(decoding: bytes, bodyLimit: 16)
                Issue.record("\(bytes) decoded")
            } catch {
                #expect(error.description.contains(field), "\(bytes): \(error)")
            }
        }
    }

    @Test func anErrorCodeFromANewerBuildArrivesAsAnInternalErrorNamingTheCode() throws {
        var writer = WireWriter()
        writer.writeByte(2)
        writer.writeVarint(4)
        writer.writeByte(1)
        writer.writeString("quota_exceeded")
        writer.writeString("too many nodes")
        let frame = try RPCFrame(decoding: writer.bytes, bodyLimit: 64)
        guard case .response(4, .failure(let error)) = frame else {
            Issue.record("\(frame)")
            return
        }
        #expect(error.code == .internalError && error.message == "quota_exceeded: too many nodes")
    }
}

/// The JSON bodies' numbers come from the peer: odd values are clamped, never trapped on.
@Suite struct WorkerRPCBodyTests {
    @Test func aHeartbeatTTLFromThePeerIsClampedToASaneRange() {
        #expect(WorkerRPC.HeartbeatReply(ttl: .seconds(10)).ttl == .seconds(10))
        var reply = WorkerRPC.HeartbeatReply(ttl: .zero)
        #expect(reply.ttl == .seconds(1))
        reply.ttlMilliseconds = .max
        #expect(reply.ttl == .seconds(3_600))
        reply.ttlMilliseconds = .min
        #expect(reply.ttl == .seconds(1))
    }

    @Test func aLongPollWaitIsNeverNegativeAndAHugeOneDoesNotOverflow() {
        var query = WorkerRPC.AllocationsQuery(nodeID: .init(uuid: "n"), since: 0, wait: .seconds(Int64.max))
        #expect(query.waitMilliseconds == .max)
        query.waitMilliseconds = -5
        #expect(query.wait == .zero)
    }
}
