import Foundation
import Sodium
import StateStore

/// The file `roost operator snapshot save` writes and `restore` reads: one JSON line of
/// metadata (format, version, index, size and BLAKE2b digest of the body), then the state as
/// JSON. The digest catches a truncated or edited file before anything is replaced.
public enum SnapshotArchive {
    static let format = "roost-snapshot"
    static let version = 1

    struct Header: Codable {
        var format: String
        var version: Int
        var index: UInt64
        var size: Int
        var digest: String

        enum CodingKeys: String, CodingKey {
            case format = "Format", version = "Version", index = "Index", size = "Size", digest = "BLAKE2b"
        }
    }

    public static func encode(_ snapshot: StateSnapshot) throws -> [UInt8] {
        let body = Array(try JSONEncoder().encode(snapshot))
        let header = Header(format: format, version: version, index: snapshot.latestIndex, size: body.count, digest: hex(GenericHash.hash(body)))
        return Array(try JSONEncoder().encode(header)) + [UInt8(ascii: "\n")] + body
    }

    public static func decode(_ bytes: [UInt8]) throws(SnapshotArchiveError) -> StateSnapshot {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[..<newline])), header.format == format
        else { throw .notASnapshot }
        guard header.version == version else { throw .unsupportedVersion(header.version) }
        let body = Array(bytes[(newline + 1)...])
        guard body.count == header.size else { throw .truncated(expected: header.size, found: body.count) }
        guard hex(GenericHash.hash(body)) == header.digest else { throw .digestMismatch }
        do {
            return try JSONDecoder().decode(StateSnapshot.self, from: Data(body))
        } catch {
            throw .unreadable("\(error)")
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

public enum SnapshotArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    case notASnapshot
    case unsupportedVersion(Int)
    case truncated(expected: Int, found: Int)
    case digestMismatch
    case unreadable(String)

    public var description: String {
        switch self {
        case .notASnapshot: "the file is not a Roost snapshot (made by `roost operator snapshot save`)"
        case .unsupportedVersion(let version): "the snapshot has format version \(version); this Roost reads version \(SnapshotArchive.version)"
        case .truncated(let expected, let found): "the snapshot is truncated: its state should be \(expected) bytes, the file has \(found)"
        case .digestMismatch: "the snapshot's checksum does not match its contents: the file is corrupt or was edited"
        case .unreadable(let detail): "the snapshot's state cannot be read: \(detail)"
        }
    }
}
