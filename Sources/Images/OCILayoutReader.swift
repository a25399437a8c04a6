import Foundation

/// Reads images from an OCI image layout (a directory with `oci-layout`, `index.json` and
/// `blobs/sha256/…`) or from such a layout packed in a tar file, for sites without a
/// registry. Blobs are copied into the cache through `BlobStore.ingest`, so they are checked
/// exactly as registry blobs are; the archive is read member by member with `tar -xO`, never
/// extracted to disk.
struct OCILayoutReader {
    enum Source {
        case directory(String)
        case archive(path: String, members: [String: String])
    }

    let source: Source
    let description: String

    init(directory: String) throws(ImageError) {
        guard FileManager.default.fileExists(atPath: directory + "/index.json") else {
            throw ImageError(.manifestUnknown, "manifest unknown: \(directory) is not an OCI image layout (no index.json); build one with e.g. skopeo copy … oci:\(directory):latest")
        }
        source = .directory(directory)
        description = "oci-layout:" + directory
    }

    init(archive: String) throws(ImageError) {
        let members = try TarArchiveListing.members(of: archive)
        guard members["index.json"] != nil else {
            throw ImageError(.manifestUnknown, "manifest unknown: \(archive) is not an OCI image layout archive (no index.json)")
        }
        source = .archive(path: archive, members: members)
        description = "oci-archive:" + archive
    }

    /// A layout inside a `docker save` archive (Docker 25 and later write one).
    init(archive: String, members: [String: String], description: String) {
        source = .archive(path: archive, members: members)
        self.description = description
    }

    /// Copies `name` (a path inside the layout) to `destination`.
    func copy(_ name: String, to destination: String) throws(ImageError) {
        switch source {
        case .directory(let directory):
            do {
                try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: destination)
            } catch {
                throw ImageError(.manifestUnknown, "\(description) has no \(name): \(error.localizedDescription); the layout is incomplete")
            }
        case .archive(let path, let members):
            try TarArchiveListing.extract(name, members: members, from: path, to: destination, what: description)
        }
    }

    /// Reads `index.json` (at most 4 MiB).
    func index() throws(ImageError) -> ImageIndex {
        let scratch = FileManager.default.temporaryDirectory.path + "/roost-oci-index-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try copy("index.json", to: scratch)
        guard let data = FileManager.default.contents(atPath: scratch), data.count <= RegistryClient.maximumDocumentBytes,
            let index = try? JSONDecoder().decode(ImageIndex.self, from: data)
        else {
            throw ImageError(.badDocument, "\(description)/index.json is not a valid OCI image index")
        }
        return index
    }

    /// The index entry for `tag` (the ref.name annotation); without a tag, the only entry or `latest`.
    func descriptor(tag: String?) throws(ImageError) -> Descriptor {
        let entries = try index().manifests
        if let tag {
            guard let match = entries.first(where: { $0.annotations?[ImageIndex.refNameAnnotation] == tag }) else {
                throw ImageError(.manifestUnknown, "manifest unknown: \(description) has no image tagged \"\(tag)\"")
            }
            return match
        }
        if entries.count == 1, let only = entries.first { return only }
        guard let latest = entries.first(where: { $0.annotations?[ImageIndex.refNameAnnotation] == "latest" }) else {
            throw ImageError(.manifestUnknown, "manifest unknown: \(description) holds \(entries.count) images; name one with :<tag>")
        }
        return latest
    }

    /// Copies blob `digest` into the cache, verified.
    func fetchBlob(_ descriptor: Descriptor, into store: BlobStore, what: String) throws(ImageError) -> String {
        if store.contains(descriptor.digest) { return store.path(of: descriptor.digest) }
        let temporary = store.temporaryPath()
        try copy("blobs/sha256/" + descriptor.digest.hex, to: temporary)
        return try store.ingest(file: temporary, digest: descriptor.digest, size: descriptor.size, what: what)
    }
}
