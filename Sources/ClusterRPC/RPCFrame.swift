import Wire

/// What travels inside the encrypted stream of a worker RPC channel (docs/security.md,
/// "Worker RPC"). Each frame is one request or one response; responses carry the ID of their
/// request, so several requests can be in flight and answered in any order.
///
///     request:  [kind 1][id varint][method string][body bytes]
///     response: [kind 2][id varint][status 0][body bytes]
///               [kind 2][id varint][status 1][code string][message string]
///
/// Strings and byte fields are a varint length then the bytes (the `Wire` codec).
public enum RPCFrame: Sendable, Hashable {
    case request(id: UInt64, method: String, body: [UInt8])
    case response(id: UInt64, result: Result<[UInt8], RPCError>)

    static let requestKind: UInt8 = 1
    static let responseKind: UInt8 = 2
    static let methodLimit = 64
    static let codeLimit = 64
    static let messageLimit = 4_096

    public var encoded: [UInt8] {
        switch self {
        case .request(let id, let method, let body):
            var writer = WireWriter(capacity: body.count + method.utf8.count + 16)
            writer.writeByte(Self.requestKind)
            writer.writeVarint(id)
            writer.writeString(method)
            writer.writeBytes(body)
            return writer.bytes
        case .response(let id, .success(let body)):
            var writer = WireWriter(capacity: body.count + 16)
            writer.writeByte(Self.responseKind)
            writer.writeVarint(id)
            writer.writeByte(0)
            writer.writeBytes(body)
            return writer.bytes
        case .response(let id, .failure(let error)):
            var writer = WireWriter(capacity: error.message.utf8.count + 32)
            writer.writeByte(Self.responseKind)
            writer.writeVarint(id)
            writer.writeByte(1)
            writer.writeString(error.code.rawValue)
            writer.writeString(String(decoding: Array(error.message.utf8.prefix(Self.messageLimit)), as: UTF8.self))
            return writer.bytes
        }
    }

    /// Decodes one frame; `bodyLimit` is the channel's frame cap (a body cannot exceed it).
    public init(decoding bytes: [UInt8], bodyLimit: Int) throws(WireError) {
        var reader = WireReader(bytes)
        let kind = try reader.readByte("rpc frame kind")
        let id = try reader.readVarint("rpc request id")
        switch kind {
        case Self.requestKind:
            let method = try reader.readString("rpc method", limit: Self.methodLimit)
            let body = try reader.readBytes("rpc request body", limit: bodyLimit)
            self = .request(id: id, method: method, body: body)
        case Self.responseKind:
            let status = try reader.readByte("rpc response status")
            switch status {
            case 0:
                self = .response(id: id, result: .success(try reader.readBytes("rpc response body", limit: bodyLimit)))
            case 1:
                let rawCode = try reader.readString("rpc error code", limit: Self.codeLimit)
                let message = try reader.readString("rpc error message", limit: Self.messageLimit)
                // A code from a newer build is still an error the caller can show.
                let code = RPCError.Code(rawValue: rawCode) ?? .internalError
                self = .response(id: id, result: .failure(RPCError(code, code.rawValue == rawCode ? message : "\(rawCode): \(message)")))
            default:
                throw WireError.unknownTag(field: "rpc response status", tag: UInt64(status))
            }
        default:
            throw WireError.unknownTag(field: "rpc frame kind", tag: UInt64(kind))
        }
        try reader.expectEnd()
    }
}
