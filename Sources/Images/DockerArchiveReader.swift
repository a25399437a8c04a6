import Foundation

/// Loads an image from a `docker save` tar (`docker-archive:/path/app.tar[:tag]`), for sites
/// that move images as files. Such an archive holds `manifest.json` (the images: their config
/// file, repository tags and layer tars, bottom first), the configs and the layers.
///
/// Nothing in it is trusted more than a registry's blobs: the config's file name is its
/// SHA-256, and each layer must hash to the `diff_id` the config lists for it (an uncompressed
/// layer at once; a compressed one when it is unpacked). The image is then kept in the blob
/// cache under an OCI manifest made here, so it is unpacked and collected like any other.
///
/// Archives written by Docker 25 and later are also OCI layouts (`index.json`); those are read
/// as `oci-archive:`.
struct DockerArchiveReader {
    let archive: String
    let members: [String: String]
    var description: String { "docker-archive:" + archive }

    /// One entry of `manifest.json`.
    struct Entry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    init(archive: String) throws(ImageError) {
        self.archive = archive
        members = try TarArchiveListing.members(of: archive)
        guard members["manifest.json"] != nil || members["index.json"] != nil else {
            throw ImageError(.manifestUnknown, "manifest unknown: \(archive) is not a docker save archive (no manifest.json)")
        }
    }

    /// The OCI layout inside, when the archive is one.
    var layout: OCILayoutReader? {
        members["index.json"] == nil ? nil : OCILayoutReader(archive: archive, members: members, description: description)
    }

    /// The image for `tag` (`name:tag` or just `tag` among its RepoTags; without a tag, the only
    /// image or the one tagged latest), with its config and layers ingested into `blobs`.
    func load(tag: String?, into blobs: BlobStore) throws(ImageError) -> (manifest: ImageManifest, digest: Digest) {
        let entry = try choose(tag: tag, among: entries(blobs))
        let scratch = blobs.temporaryPath()
        try TarArchiveListing.extract(entry.Config, members: members, from: archive, to: scratch, what: description)
        let configName = (entry.Config as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        let (configDigest, configSize) = try Self.store(
            scratch, expected: Digest("sha256:" + configName), into: blobs, what: "config \(entry.Config) in \(description)")
        let configuration = try ImageStore.decode(
            ImageConfiguration.self, blobs.read(configDigest, limit: RegistryClient.maximumDocumentBytes), what: "config in \(description)")
        let diffIDs = configuration.rootfs.diff_ids
        guard diffIDs.count == entry.Layers.count else {
            throw ImageError(.badDocument, "\(description): its config lists \(diffIDs.count) diff_ids for \(entry.Layers.count) layers; the archive is malformed")
        }
        var layers: [Descriptor] = []
        for (position, name) in entry.Layers.enumerated() {
            let temporary = blobs.temporaryPath()
            try TarArchiveListing.extract(name, members: members, from: archive, to: temporary, what: description)
            let compressed = Self.isGzip(temporary)
            // An uncompressed layer is its own diff_id: checked now, before it is stored; a
            // compressed one is checked against it when it is unpacked.
            let (expected, size) = try Self.store(
                temporary, expected: compressed ? nil : diffIDs[position], into: blobs, what: "layer \(position + 1) (\(name)) of \(description)")
            layers.append(Descriptor(mediaType: compressed ? MediaType.ociLayerGzip : MediaType.ociLayer, digest: expected, size: size))
        }
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: configSize), layers: layers)
        let bytes: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            bytes = Array(try encoder.encode(manifest))
        } catch {
            throw ImageError(.badDocument, "cannot encode the manifest made for \(description): \(error)")
        }
        let digest = Digest(hashing: bytes)
        try blobs.ingest(bytes: bytes, digest: digest, what: "manifest made for \(description)")
        return (manifest, digest)
    }

    private func entries(_ blobs: BlobStore) throws(ImageError) -> [Entry] {
        let scratch = blobs.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try TarArchiveListing.extract("manifest.json", members: members, from: archive, to: scratch, what: description)
        guard let data = FileManager.default.contents(atPath: scratch), data.count <= RegistryClient.maximumDocumentBytes,
              let entries = try? JSONDecoder().decode([Entry].self, from: data), !entries.isEmpty
        else {
            throw ImageError(.badDocument, "\(description)/manifest.json is not a docker save manifest (a list of Config, RepoTags, Layers)")
        }
        return entries
    }

    private func choose(tag: String?, among entries: [Entry]) throws(ImageError) -> Entry {
        let tags = entries.flatMap { $0.RepoTags ?? [] }
        if let tag {
            let match = entries.first { entry in (entry.RepoTags ?? []).contains { $0 == tag || $0.hasSuffix(":" + tag) } }
            guard let match else {
                throw ImageError(.manifestUnknown, "manifest unknown: \(description) has no image tagged \"\(tag)\" (it has \(tags.isEmpty ? "no tags" : tags.joined(separator: ", ")))")
            }
            return match
        }
        if entries.count == 1, let only = entries.first { return only }
        guard let latest = entries.first(where: { ($0.RepoTags ?? []).contains { $0.hasSuffix(":latest") } }) else {
            throw ImageError(.manifestUnknown, "manifest unknown: \(description) holds \(entries.count) images; name one with :<tag> (\(tags.joined(separator: ", ")))")
        }
        return latest
    }

    /// Moves `temporary` into the cache under `expected`, which `ingest` checks, or, when
    /// nothing is expected of it, under its own hash: each file is read once.
    private static func store(_ temporary: String, expected: Digest?, into blobs: BlobStore, what: String) throws(ImageError) -> (Digest, Int64) {
        let size = ((try? FileManager.default.attributesOfItem(atPath: temporary))?[.size] as? NSNumber)?.int64Value
        guard let expected else { return try blobs.ingest(file: temporary, what: what) }
        try blobs.ingest(file: temporary, digest: expected, size: size, what: what)
        return (expected, size ?? 0)
    }

    static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        return magic.count == 2 && magic[magic.startIndex] == 0x1f && magic[magic.startIndex + 1] == 0x8b
    }
}
