import Foundation

/// The members of a tar file (through the system `tar -tf`), by their name without a leading
/// `./`, mapped to the name as stored: how the layout and `docker save` readers find files in an
/// archive without extracting it.
enum TarArchiveListing {
    static func members(of archive: String) throws(ImageError) -> [String: String] {
        guard FileManager.default.fileExists(atPath: archive) else {
            throw ImageError(.manifestUnknown, "manifest unknown: the image archive \(archive) does not exist")
        }
        guard let tar = ExternalCommand.find(["tar"]) else {
            throw ImageError(.io, "reading \(archive) needs the tar command; install it (apt-get install tar)")
        }
        let listing = FileManager.default.temporaryDirectory.path + "/roost-tar-list-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: listing) }
        let (status, stderr) = try ExternalCommand.run(tar, ["-tf", archive], stdoutTo: listing)
        guard status == 0, let text = try? String(contentsOfFile: listing, encoding: .utf8) else {
            throw ImageError(.badDocument, "cannot list the image archive \(archive): \(stderr.trimmingSpaces)")
        }
        var members: [String: String] = [:]
        for line in text.split(separator: "\n") {
            var name = String(line)
            while name.hasPrefix("./") { name.removeFirst(2) }
            members[name] = String(line)
        }
        return members
    }

    /// Writes member `name` of `archive` to `destination`.
    static func extract(_ name: String, members: [String: String], from archive: String, to destination: String, what: String) throws(ImageError) {
        guard let member = members[name], let tar = ExternalCommand.find(["tar"]) else {
            throw ImageError(.manifestUnknown, "\(what) has no \(name); the archive is incomplete")
        }
        let (status, stderr) = try ExternalCommand.run(tar, ["-xOf", archive, member], stdoutTo: destination)
        guard status == 0 else { throw ImageError(.io, "cannot read \(name) from \(archive): \(stderr.trimmingSpaces)") }
    }
}
