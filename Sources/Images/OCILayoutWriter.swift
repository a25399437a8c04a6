import Foundation

/// Writes a single-image OCI layout from directories or tar files, with the system `tar` and
/// `gzip`. It lets a site (and Roost's own tests and example job) build an image with no
/// registry and no image tool: `oci-layout:<dir>:<tag>` then runs it, or `skopeo copy`
/// pushes it to a registry.
public enum OCILayoutWriter {
    /// Packs `directory` as an uncompressed tar at `output` (sorted, owner root, fixed mtime),
    /// so the same tree always gives the same layer digest.
    public static func tar(directory: String, to output: String) throws(ImageError) {
        guard let tar = ExternalCommand.find(["tar"]) else { throw ImageError(.io, "building a layer needs the tar command") }
        let (status, stderr) = try ExternalCommand.run(
            tar, ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=posix",
                  "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "-C", directory, "-cf", output, "."]
        )
        guard status == 0 else { throw ImageError(.io, "tar of \(directory) failed: \(stderr.trimmingSpaces)") }
    }

    /// Writes the layout: each tar in `layerTars` (bottom first) gzipped as a layer, a config
    /// with `process` and the diff_ids, the manifest, and `index.json` naming it `tag`.
    /// Returns the manifest's digest.
    @discardableResult
    public static func write(
        layerTars: [String], process: ImageConfiguration.ProcessDefaults, tag: String, to layout: String,
        platform: ImagePlatform = .host
    ) throws(ImageError) -> Digest {
        let blobs = layout + "/blobs/sha256"
        do {
            try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        } catch {
            throw ImageError(.io, "cannot create \(blobs): \(error.localizedDescription)")
        }
        guard let gzip = ExternalCommand.find(["gzip"]) else { throw ImageError(.io, "building a layer needs the gzip command") }
        var layers: [Descriptor] = []
        var diffIDs: [Digest] = []
        for tarPath in layerTars {
            let (diffID, _) = try BlobStore.hashFile(tarPath)
            diffIDs.append(diffID)
            let compressed = blobs + "/.incoming"
            let (status, stderr) = try ExternalCommand.run(gzip, ["-n", "-c", tarPath], stdoutTo: compressed)
            guard status == 0 else { throw ImageError(.io, "gzip of \(tarPath) failed: \(stderr.trimmingSpaces)") }
            let (digest, size) = try BlobStore.hashFile(compressed)
            _ = rename(compressed, blobs + "/" + digest.hex)
            layers.append(Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digest, size: size))
        }
        let configuration = ImageConfiguration(
            architecture: platform.architecture, os: platform.os, config: process, rootfs: .init(diff_ids: diffIDs)
        )
        let config = try store(configuration, mediaType: MediaType.ociConfig, in: blobs)
        let manifest = try store(ImageManifest(config: config, layers: layers), mediaType: MediaType.ociManifest, in: blobs)
        var entry = manifest
        entry.platform = platform
        entry.annotations = [ImageIndex.refNameAnnotation: tag]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(ImageIndex(manifests: [entry])).write(to: URL(fileURLWithPath: layout + "/index.json"))
            try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: layout + "/oci-layout"))
        } catch {
            throw ImageError(.io, "cannot write the index of \(layout): \(error.localizedDescription)")
        }
        return manifest.digest
    }

    private static func store(_ value: some Encodable, mediaType: String, in blobs: String) throws(ImageError) -> Descriptor {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            let digest = Digest(hashing: [UInt8](data))
            try data.write(to: URL(fileURLWithPath: blobs + "/" + digest.hex))
            return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
        } catch {
            throw ImageError(.io, "cannot write a blob to \(blobs): \(error.localizedDescription)")
        }
    }
}
