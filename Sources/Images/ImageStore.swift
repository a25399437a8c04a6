import Foundation

/// Pulls images into the blob cache under the agent's data directory and hands out verified
/// `PulledImage`s. Concurrent pulls of one reference share one pull, and concurrent pulls of
/// images that share a blob download it once.
public actor ImageStore {
    public nonisolated let blobs: BlobStore
    public nonisolated let settings: RegistrySettings
    public nonisolated let platform: ImagePlatform
    /// Which manifest each registry tag named at its last pull, kept across agent restarts.
    public nonisolated let tags: ImageTagCache
    private var clients: [String: RegistryClient] = [:]
    private var pulls: [String: Task<Result<PulledImage, ImageError>, Never>] = [:]
    private var downloads: [Digest: Task<Result<String, ImageError>, Never>] = [:]
    /// Images already assembled (from local layouts or registries), by the digest their tag
    /// points to. The blobs are content-addressed and were verified on the way in, so the same
    /// digest is the same image: a container start then skips decoding the index, manifest and
    /// config again (about 0.4 ms). Used only while all its blobs are still in the cache.
    private var knownImages: [Digest: PulledImage] = [:]
    static let maximumKnownImages = 256

    /// The most layers an image may have (Docker's own limit is 127).
    public static let maximumLayers = 500

    public init(directory: String, settings: RegistrySettings = RegistrySettings(), platform: ImagePlatform = .host) throws(ImageError) {
        blobs = try BlobStore(directory: directory)
        blobs.clearScratch()
        self.settings = settings
        self.platform = platform
        tags = try ImageTagCache(directory: directory + "/tags")
    }

    /// Makes `reference` available locally (pulling what is missing) and returns it.
    ///
    /// A registry tag this node pulled before is used from the cache without asking the
    /// registry, as Nomad's docker driver does, unless `forcePull` is set or the tag is
    /// `latest` (a tag that by convention moves). When the registry is asked but cannot be
    /// reached, the image the tag named last is used and `fallbackNote` says so.
    public func pull(_ reference: ImageReference, forcePull: Bool = false) async throws(ImageError) -> PulledImage {
        // A layout image read before: answered here, without a task of its own.
        if case .layout(let path, let tag) = reference, !knownImages.isEmpty, let reader = try? OCILayoutReader(directory: path),
            let known = rememberedLayoutImage(reference, reader: reader, tag: tag)
        {
            return known
        }
        if !forcePull, case .registry(_, _, let tag?, nil) = reference, tag != "latest", let known = imageLastPulled(as: reference) {
            return known
        }
        let key = reference.description + (forcePull ? " (force_pull)" : "")
        if let running = pulls[key] { return try await running.value.get() }
        let task = Task { await self.resolve(reference) }
        pulls[key] = task
        let result = await task.value
        pulls[key] = nil
        return try result.get()
    }

    public func pull(_ text: String, forcePull: Bool = false) async throws(ImageError) -> PulledImage {
        try await pull(ImageReference.parse(text), forcePull: forcePull)
    }

    private func resolve(_ reference: ImageReference) async -> Result<PulledImage, ImageError> {
        do throws(ImageError) {
            switch reference {
            case .registry(let host, let repository, let tag, let digest):
                return .success(try await pullFromRegistry(reference, host: host, repository: repository, tag: tag, digest: digest))
            case .layout(let path, let tag):
                return .success(try loadFromLayout(reference, reader: OCILayoutReader(directory: path), tag: tag))
            case .archive(let path, let tag):
                return .success(try loadFromLayout(reference, reader: OCILayoutReader(archive: path), tag: tag))
            case .dockerArchive(let path, let tag):
                let reader = try DockerArchiveReader(archive: path)
                if let layout = reader.layout { return .success(try loadFromLayout(reference, reader: layout, tag: tag)) }
                let (manifest, digest) = try reader.load(tag: tag, into: blobs)
                let store = blobs
                return .success(try syncAssemble(reference, manifest: manifest, manifestDigest: digest, name: reader.description) { descriptor, _ throws(ImageError) in
                    store.path(of: descriptor.digest)
                })
            }
        } catch {
            return .failure(error)
        }
    }

    private func client(for host: String) -> RegistryClient {
        if let existing = clients[host] { return existing }
        let created = RegistryClient(host: host, settings: settings)
        clients[host] = created
        return created
    }

    private func pullFromRegistry(
        _ reference: ImageReference, host: String, repository: String, tag: String?, digest: Digest?
    ) async throws(ImageError) -> PulledImage {
        let client = client(for: host)
        let name = "\(host)/\(repository)"
        var document: (bytes: [UInt8], mediaType: String, digest: Digest)
        if let digest, let cached = cachedDocument(digest) {
            document = cached
        } else {
            do {
                document = try await client.manifest(repository: repository, reference: digest?.description ?? tag ?? "latest")
            } catch {
                guard digest == nil else { throw error }
                if error.code == .transport, var cached = imageLastPulled(as: reference) {
                    cached.fallbackNote = "registry \(host) could not be reached (\(error.message)); using \(reference) as last pulled on this node, \(cached.manifestDigest)"
                    return cached
                }
                // The tag was deleted upstream: a later start must not run what it used to name.
                if error.code == .manifestUnknown { tags.forget(reference.description) }
                throw error
            }
        }
        if MediaType.isIndex(document.mediaType) || Self.sniffMediaType(document.bytes) == MediaType.ociIndex {
            let index = try Self.decode(ImageIndex.self, document.bytes, what: "image index of \(name)")
            guard let chosen = index.manifest(for: platform) else {
                let offered = index.manifests.compactMap { $0.platform?.description }.joined(separator: ", ")
                throw ImageError(.platform, "image \(reference) has no manifest for \(platform) (it offers \(offered.isEmpty ? "none" : offered))")
            }
            // Kept so that a reference by the index's digest needs no registry next time.
            try blobs.ingest(bytes: document.bytes, digest: document.digest, what: "image index of \(name)")
            if let cached = cachedDocument(chosen.digest) {
                document = cached
            } else {
                document = try await client.manifest(repository: repository, reference: chosen.digest.description)
            }
        }
        if let known = remembered(document.digest, as: reference) {
            recordTag(of: reference, as: document.digest)
            return known
        }
        try blobs.ingest(bytes: document.bytes, digest: document.digest, what: "manifest of \(name)")
        let manifest = try Self.decode(ImageManifest.self, document.bytes, what: "manifest of \(name)")
        let blobsStore = blobs
        let fetch: @Sendable (Descriptor, String) async throws(ImageError) -> String = { descriptor, what in
            if blobsStore.contains(descriptor.digest) { return blobsStore.path(of: descriptor.digest) }
            let temporary = blobsStore.temporaryPath()
            try await client.downloadBlob(repository: repository, digest: descriptor.digest, to: temporary)
            return try blobsStore.ingest(file: temporary, digest: descriptor.digest, size: descriptor.size, what: what)
        }
        let image = try await assemble(reference, manifest: manifest, manifestDigest: document.digest, name: name, fetch: fetch)
        remember(image, as: document.digest)
        recordTag(of: reference, as: document.digest)
        return image
    }

    /// Records which manifest a registry tag names, only once the whole image is cached (a
    /// failed pull leaves the mapping as it was).
    private func recordTag(of reference: ImageReference, as digest: Digest) {
        guard case .registry(_, _, _?, nil) = reference else { return }
        tags.remember(digest, for: reference.description, scratch: blobs.temporaryPath())
    }

    /// A manifest or index already in the blob cache, with the type its JSON declares.
    private func cachedDocument(_ digest: Digest) -> (bytes: [UInt8], mediaType: String, digest: Digest)? {
        guard blobs.contains(digest), let cached = try? blobs.read(digest, limit: RegistryClient.maximumDocumentBytes) else { return nil }
        return (cached, Self.sniffMediaType(cached), digest)
    }

    /// The image a registry tag named when this node last pulled it, if its manifest, config
    /// and layers are all still cached; nil otherwise (the caller then pulls as usual).
    private func imageLastPulled(as reference: ImageReference) -> PulledImage? {
        guard case .registry(_, _, _?, nil) = reference, let digest = tags.digest(for: reference.description) else { return nil }
        if let known = remembered(digest, as: reference) { return known }
        guard let document = cachedDocument(digest), let manifest = try? Self.decode(ImageManifest.self, document.bytes, what: "cached manifest \(digest)") else {
            return nil
        }
        let store = blobs
        let image = try? syncAssemble(reference, manifest: manifest, manifestDigest: digest, name: reference.description) { descriptor, what throws(ImageError) in
            guard store.contains(descriptor.digest) else { throw ImageError(.io, "\(what) \(descriptor.digest) is no longer in the image cache") }
            return store.path(of: descriptor.digest)
        }
        if let image { remember(image, as: digest) }
        return image
    }

    private func loadFromLayout(_ reference: ImageReference, reader: OCILayoutReader, tag: String?) throws(ImageError) -> PulledImage {
        var descriptor = try reader.descriptor(tag: tag)
        let top = descriptor.digest
        if let known = remembered(top, as: reference) { return known }
        _ = try reader.fetchBlob(descriptor, into: blobs, what: "manifest")
        var bytes = try blobs.read(descriptor.digest, limit: RegistryClient.maximumDocumentBytes)
        if MediaType.isIndex(descriptor.mediaType) {
            let index = try Self.decode(ImageIndex.self, bytes, what: "image index in \(reader.description)")
            guard let chosen = index.manifest(for: platform) else {
                throw ImageError(.platform, "image \(reference) has no manifest for \(platform)")
            }
            descriptor = chosen
            _ = try reader.fetchBlob(descriptor, into: blobs, what: "manifest")
            bytes = try blobs.read(descriptor.digest, limit: RegistryClient.maximumDocumentBytes)
        }
        let manifest = try Self.decode(ImageManifest.self, bytes, what: "manifest in \(reader.description)")
        let store = blobs
        let image = try syncAssemble(reference, manifest: manifest, manifestDigest: descriptor.digest, name: reader.description) { descriptor, what throws(ImageError) in
            try reader.fetchBlob(descriptor, into: store, what: what)
        }
        remember(image, as: top)
        return image
    }

    /// The image `tag` of the layout names now, if it was read before and all its blobs are
    /// still cached; nil otherwise (including any error, which the full read then reports).
    private func rememberedLayoutImage(_ reference: ImageReference, reader: OCILayoutReader, tag: String?) -> PulledImage? {
        guard let descriptor = try? reader.descriptor(tag: tag) else { return nil }
        return remembered(descriptor.digest, as: reference)
    }

    private func remembered(_ top: Digest, as reference: ImageReference) -> PulledImage? {
        guard var known = knownImages[top] else { return nil }
        guard blobs.contains(top), blobs.contains(known.manifestDigest), known.layers.allSatisfy({ blobs.contains($0.descriptor.digest) }) else {
            knownImages[top] = nil
            return nil
        }
        known.reference = reference
        return known
    }

    private func remember(_ image: PulledImage, as top: Digest) {
        if knownImages.count >= Self.maximumKnownImages { knownImages = [:] }
        knownImages[top] = image
    }

    /// Fetches config and layers (each blob once, even across concurrent pulls) and checks
    /// that the config lists one diff_id per layer.
    private func assemble(
        _ reference: ImageReference, manifest: ImageManifest, manifestDigest: Digest, name: String,
        fetch: @escaping @Sendable (Descriptor, String) async throws(ImageError) -> String
    ) async throws(ImageError) -> PulledImage {
        guard manifest.layers.count <= Self.maximumLayers else {
            throw ImageError(.badDocument, "image \(name) has \(manifest.layers.count) layers, more than \(Self.maximumLayers)")
        }
        let configPath = try await shared(manifest.config, what: "config of \(name)", fetch: fetch)
        _ = configPath
        let configuration = try Self.decode(
            ImageConfiguration.self, blobs.read(manifest.config.digest, limit: RegistryClient.maximumDocumentBytes), what: "config of \(name)"
        )
        var layers: [PulledLayer] = []
        for (position, layer) in manifest.layers.enumerated() {
            let path = try await shared(layer, what: "layer \(position + 1) of \(name)", fetch: fetch)
            layers.append(PulledLayer(descriptor: layer, diffID: try Self.diffID(configuration, position: position, name: name, count: manifest.layers.count), path: path))
        }
        return PulledImage(reference: reference, manifestDigest: manifestDigest, configuration: configuration, layers: layers)
    }

    private func syncAssemble(
        _ reference: ImageReference, manifest: ImageManifest, manifestDigest: Digest, name: String,
        fetch: (Descriptor, String) throws(ImageError) -> String
    ) throws(ImageError) -> PulledImage {
        guard manifest.layers.count <= Self.maximumLayers else {
            throw ImageError(.badDocument, "image \(name) has \(manifest.layers.count) layers, more than \(Self.maximumLayers)")
        }
        _ = try fetch(manifest.config, "config of \(name)")
        let configuration = try Self.decode(
            ImageConfiguration.self, blobs.read(manifest.config.digest, limit: RegistryClient.maximumDocumentBytes), what: "config of \(name)"
        )
        var layers: [PulledLayer] = []
        for (position, layer) in manifest.layers.enumerated() {
            let path = try fetch(layer, "layer \(position + 1) of \(name)")
            layers.append(PulledLayer(descriptor: layer, diffID: try Self.diffID(configuration, position: position, name: name, count: manifest.layers.count), path: path))
        }
        return PulledImage(reference: reference, manifestDigest: manifestDigest, configuration: configuration, layers: layers)
    }

    private static func diffID(_ configuration: ImageConfiguration, position: Int, name: String, count: Int) throws(ImageError) -> Digest {
        let ids = configuration.rootfs.diff_ids
        guard ids.count == count, position < ids.count else {
            throw ImageError(.badDocument, "image \(name): its config lists \(ids.count) diff_ids for \(count) layers; the image is malformed")
        }
        return ids[position]
    }

    /// One download per digest at a time; later callers wait for the first.
    private func shared(
        _ descriptor: Descriptor, what: String, fetch: @escaping @Sendable (Descriptor, String) async throws(ImageError) -> String
    ) async throws(ImageError) -> String {
        if let running = downloads[descriptor.digest] { return try await running.value.get() }
        let task = Task { () -> Result<String, ImageError> in
            do throws(ImageError) { return .success(try await fetch(descriptor, what)) } catch { return .failure(error) }
        }
        downloads[descriptor.digest] = task
        let result = await task.value
        downloads[descriptor.digest] = nil
        return try result.get()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(ImageError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw ImageError(.badDocument, "the \(what) is not valid JSON of the expected shape: \(error)")
        }
    }

    /// The `mediaType` field of a JSON document (for cached manifests whose HTTP type is gone).
    static func sniffMediaType(_ bytes: [UInt8]) -> String {
        struct Probe: Decodable {
            var mediaType: String?
            var manifests: [Descriptor]?
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes)) else { return "" }
        if let type = probe.mediaType { return type }
        return probe.manifests != nil ? MediaType.ociIndex : MediaType.ociManifest
    }

    /// How many blob downloads run now (tests: concurrent pulls share one).
    public var activeDownloads: Int { downloads.count }
}
