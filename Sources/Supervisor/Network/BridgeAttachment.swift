import Foundation

/// One allocation's place on the bridge: its network namespace (which every container of the
/// allocation joins), its address, the host end of its veth pair, and its port mappings. Saved
/// as JSON under the record directory; the file is the allocation's claim on the address.
public struct BridgeAttachment: Sendable, Hashable, Codable {
    public var allocationID: String
    public var namespaceName: String
    public var address: String
    public var hostInterface: String
    public var ports: [BridgePortMapping]

    /// What the containers' `linux.namespaces` entry points at.
    public var namespacePath: String { "/run/netns/" + namespaceName }

    static func recordPath(_ allocationID: String, in directory: String) -> String {
        directory + "/" + allocationID + ".json"
    }

    func save(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(self)
        try data.write(to: URL(fileURLWithPath: Self.recordPath(allocationID, in: directory)), options: .atomic)
    }

    /// Every record in `directory`; unreadable files are skipped (and so their addresses may be
    /// handed out again, which the kernel refuses loudly rather than silently).
    static func all(in directory: String) -> [BridgeAttachment] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
            return try? JSONDecoder().decode(BridgeAttachment.self, from: data)
        }
    }
}
