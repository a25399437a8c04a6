import Glibc
import Sodium

/// The per-server key that seals the Raft log and snapshots on disk (data at rest).
///
/// The log and the snapshots hold the cluster's jobs, ACL token hashes and, soon, the
/// cluster CA's key: a copied disk or backup must not give them away, and a file edited by
/// someone without the key must be noticed rather than replayed. Each WAL record and each
/// snapshot chunk is sealed with XChaCha20-Poly1305 under this key, with a fresh random nonce
/// (24 bytes: random nonces never realistically repeat, so no counter has to survive
/// restarts) and associated data naming where the bytes belong, so a sealed record moved to
/// another position or file no longer opens.
///
/// The key is 32 random bytes in a file of its own (mode 0600), created once, atomically, on
/// a server's first start. It is deliberately not derived from anything the cluster shares:
/// each server's disk is sealed under its own key, so one leaked key exposes one disk.
public struct AtRestKey: Sendable {
    public static let length = XChaCha20Poly1305.keyLength
    /// Bytes a sealed message carries beyond its plaintext: the nonce and the tag.
    public static let overhead = XChaCha20Poly1305.nonceLength + XChaCha20Poly1305.tagLength

    let bytes: [UInt8]

    /// A key from raw bytes; nil unless there are exactly `length` of them.
    public init?(bytes: [UInt8]) {
        guard bytes.count == AtRestKey.length else { return nil }
        self.bytes = bytes
    }

    /// A fresh random key.
    public static func generate() -> AtRestKey {
        AtRestKey(uncheckedBytes: XChaCha20Poly1305.generateKey())
    }

    private init(uncheckedBytes: [UInt8]) {
        bytes = uncheckedBytes
    }

    /// `nonce || ciphertext || tag`.
    func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        let nonce = XChaCha20Poly1305.generateNonce()
        // Cannot fail: the key and the nonce have the right lengths by construction.
        let sealed = XChaCha20Poly1305.seal(plaintext, associatedData: associatedData, nonce: nonce, key: bytes) ?? []
        return nonce + sealed
    }

    /// The plaintext of `nonce || ciphertext || tag`, or nil when it does not authenticate
    /// (altered bytes, other associated data, another key).
    func open(_ sealed: some Collection<UInt8>, associatedData: [UInt8]) -> [UInt8]? {
        guard sealed.count >= AtRestKey.overhead else { return nil }
        let nonce = Array(sealed.prefix(XChaCha20Poly1305.nonceLength))
        let body = Array(sealed.dropFirst(XChaCha20Poly1305.nonceLength))
        return XChaCha20Poly1305.open(body, associatedData: associatedData, nonce: nonce, key: bytes)
    }
}

extension AtRestKey {
    /// Reads the key file at `path`; when it does not exist and `createIfMissing` is set,
    /// creates it (random key, mode 0600, atomically: a crash leaves either no key file or a
    /// whole one). `created` says which happened.
    ///
    /// Refused with an `AtRestKeyError` naming the file and the fix: a file readable by group
    /// or others (the key would be as exposed as the data it protects), a file of the wrong
    /// length, not a regular file, or missing when it may not be created (the data it sealed
    /// cannot be read without it).
    public static func loadOrCreate(at path: String, createIfMissing: Bool) throws(AtRestKeyError) -> (key: AtRestKey, created: Bool) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            let code = errno
            guard code == ENOENT else {
                throw AtRestKeyError(path: path, problem: "cannot be opened (\(describe(code)))", fix: "check that the agent's user owns it")
            }
            guard createIfMissing else {
                throw AtRestKeyError(
                    path: path, problem: "is missing, but the Raft data beside it was sealed with it (or written without encryption)",
                    fix: "restore the key file from backup; for a data directory written by a Roost without encryption at rest, start with encryption off")
            }
            return (try create(at: path), true)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw AtRestKeyError(path: path, problem: "cannot be examined (\(describe(errno)))", fix: "check the file system")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw AtRestKeyError(path: path, problem: "is not a regular file", fix: "remove what is there and restore the key file from backup")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw AtRestKeyError(
                path: path, problem: "has mode \(String(mode, radix: 8)): group or others may read the key",
                fix: "run chmod 600 \(path) (and check who copied it while it was open)")
        }
        guard info.st_size == off_t(length) else {
            throw AtRestKeyError(
                path: path, problem: "holds \(info.st_size) bytes, not the \(length) of a data key",
                fix: "restore the key file from backup; the sealed Raft data cannot be read without it")
        }
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.read(fd, count: length, at: 0, path: path)
        } catch {
            throw AtRestKeyError(path: path, problem: "cannot be read (\(error))", fix: "check the file system")
        }
        guard let key = AtRestKey(bytes: bytes) else {
            throw AtRestKeyError(path: path, problem: "changed while it was read", fix: "start the agent again")
        }
        return (key, false)
    }

    private static func create(at path: String) throws(AtRestKeyError) -> AtRestKey {
        let key = generate()
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw AtRestKeyError(path: path, problem: "cannot be created (\(describe(errno)))", fix: "check that the data directory is writable by the agent's user")
        }
        do {
            // The mode is set explicitly too: the umask only ever narrows it, but a file made
            // by open is subject to it, and this says what is meant.
            guard fchmod(fd, 0o600) == 0 else { throw RaftStorageError.io("chmod", temporary) }
            try DurableFile.write(fd, key.bytes, at: 0, path: temporary)
            guard fsync(fd) == 0 else { throw RaftStorageError.io("fsync", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw AtRestKeyError(path: path, problem: "cannot be written (\(error))", fix: "check free space and the file system")
        }
        close(fd)
        // link, unlike rename, fails when the name exists: two agents racing on one data
        // directory cannot replace a key that already sealed data.
        guard link(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw AtRestKeyError(
                path: path, problem: "cannot be put in place (\(describe(code)))",
                fix: code == EEXIST ? "another agent is using this data directory; stop it first" : "check the file system")
        }
        unlink(temporary)
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        do {
            try DurableFile.syncDirectory(directory.isEmpty ? "/" : directory, using: { fsync($0) })
        } catch {
            throw AtRestKeyError(path: path, problem: "was created but cannot be made durable (\(error))", fix: "check the file system")
        }
        return key
    }

    private static func describe(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
