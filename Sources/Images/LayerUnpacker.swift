import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Applies image layers, bottom first, to a root file system directory, the way a container
/// runtime expects to find it: regular files, directories, links, FIFOs; OCI whiteouts
/// (`.wh.<name>` deletes a lower file, `.wh..wh..opq` empties a lower directory).
///
/// Nothing a layer says can touch anything outside `rootfs`:
/// - an entry name with a `..` component is refused (no real image has one);
/// - symbolic links among the parent directories are resolved *inside* the rootfs, as the
///   container will see them (an absolute target is taken relative to the rootfs, `..` stops
///   at its top), so `/etc -> /host/etc` style links cannot redirect writes;
/// - the entry itself is never followed: an existing symlink in its place is replaced;
/// - hard-link targets are resolved the same way and must exist inside the rootfs.
/// Each layer's uncompressed stream must hash to its diff_id, or the unpack fails.
public enum LayerUnpacker {
    /// The most entries one layer may have.
    public static let maximumEntries = 2_000_000
    /// Device nodes are not created: the runtime provides /dev.
    public static let createsDevices = false

    public static func unpack(_ layers: [PulledLayer], into rootfs: String) throws(ImageError) {
        for layer in layers {
            try unpack(layer: layer.path, diffID: layer.diffID, into: rootfs)
        }
    }

    /// Applies one layer (gzip, zstd or plain tar); checks its diff_id when given.
    public static func unpack(layer path: String, diffID: Digest?, into rootfs: String) throws(ImageError) {
        if mkdir(rootfs, 0o755) != 0 && errno != EEXIST {
            throw ImageError(.io, "cannot create the root file system \(rootfs): errno \(errno)")
        }
        let stream = try LayerStream(path: path)
        defer { stream.close() }
        var applier = LayerApplier(root: rootfs, layer: path)
        var overrides = TarEntry.Overrides()
        var zeroBlocks = 0
        var entries = 0
        while let block = try stream.read(exactly: 512) {
            if block.allSatisfy({ $0 == 0 }) {
                zeroBlocks += 1
                if zeroBlocks == 2 { break }
                continue
            }
            zeroBlocks = 0
            entries += 1
            guard entries <= maximumEntries else { throw ImageError(.unsafeLayer, "layer \(path) has more than \(maximumEntries) entries") }
            let header = try TarEntry.parseHeader(block, layer: path)
            let size = overrides.size ?? header.size
            let padded = (size + 511) / 512 * 512
            switch header.typeFlag {
            case UInt8(ascii: "x"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard size <= 1 << 20 else { throw ImageError(.unsafeLayer, "layer \(path) has a metadata header larger than 1 MiB") }
                guard let data = try stream.read(exactly: Int(padded)) else { throw ImageError(.unsafeLayer, "layer \(path) is truncated") }
                let content = Array(data.prefix(Int(size)))
                if header.typeFlag == UInt8(ascii: "x") {
                    try TarEntry.parsePAX(content, into: &overrides, layer: path)
                } else {
                    let text = String(decoding: content.prefix(while: { $0 != 0 }), as: UTF8.self)
                    if header.typeFlag == UInt8(ascii: "L") { overrides.path = text } else { overrides.linkPath = text }
                }
                continue
            case UInt8(ascii: "g"):
                try stream.forward(padded) { _ in }
                continue
            default:
                break
            }
            let kind: TarEntry.Kind
            switch header.typeFlag {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "1"): kind = .hardLink
            case UInt8(ascii: "2"): kind = .symbolicLink
            case UInt8(ascii: "3"): kind = .characterDevice
            case UInt8(ascii: "4"): kind = .blockDevice
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "6"): kind = .fifo
            default:
                throw ImageError(.unsafeLayer, "layer \(path): entry \"\(header.name.prefix(200))\" has the unsupported tar type '\(Character(Unicode.Scalar(header.typeFlag)))'")
            }
            let entry = TarEntry(
                name: overrides.path ?? header.name, kind: kind, mode: header.mode, uid: overrides.uid ?? header.uid,
                gid: overrides.gid ?? header.gid, size: kind == .file ? size : 0, linkName: overrides.linkPath ?? header.linkName
            )
            overrides = TarEntry.Overrides()
            try applier.apply(entry, stream: stream)
            let rest = padded - entry.size
            if rest > 0 { try stream.forward(rest) { _ in } }
        }
        try stream.drain()
        guard stream.decompressorSucceeded() else {
            throw ImageError(.unsafeLayer, "layer \(path) could not be decompressed; the blob is corrupt")
        }
        if let diffID {
            let actual = Digest(finishing: stream.hasher)
            guard actual == diffID else {
                throw ImageError(.digestMismatch, "digest mismatch for the uncompressed layer \(path): expected diff_id \(diffID), got \(actual); the image is corrupt: re-push it")
            }
        }
    }
}
