/// Reads what a `LogFileWriter` wrote, by offset into the whole stream, across rotation. An
/// offset whose file was already rotated away continues at the oldest file kept.
public struct LogFileReader: Sendable {
    public let directory: String
    public let baseName: String
    public let maxFileBytes: Int

    public init(directory: String, baseName: String, maxFileBytes: Int) {
        self.directory = directory
        self.baseName = baseName
        self.maxFileBytes = max(maxFileBytes, 1)
    }

    /// The most bytes one `read` returns, whatever the caller asks.
    public static let maximumChunk = 1 << 20

    /// The numbered files present, oldest first (bounded by what the directory holds).
    public static func indexes(directory: String, baseName: String) -> [Int] {
        let prefix = baseName + "."
        return FileIO.directoryEntries(directory).compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            return Int(name.dropFirst(prefix.count)).flatMap { $0 >= 0 ? $0 : nil }
        }.sorted()
    }

    /// The offset just past the last byte written so far (0 when nothing was).
    public func endOffset() -> Int64 {
        guard let newest = Self.indexes(directory: directory, baseName: baseName).last else { return 0 }
        return Int64(newest) * Int64(maxFileBytes) + Int64(FileIO.size(path(newest)) ?? 0)
    }

    /// Up to `limit` bytes from `offset`, and the offset to continue from. Returns no bytes (and
    /// the same offset, or the oldest kept one) when nothing new was written.
    public func read(from offset: Int64, limit: Int = LogFileReader.maximumChunk) -> (bytes: [UInt8], next: Int64) {
        let limit = min(max(limit, 0), Self.maximumChunk)
        let indexes = Self.indexes(directory: directory, baseName: baseName)
        guard let oldest = indexes.first, let newest = indexes.last else { return ([], max(offset, 0)) }
        let fileBytes = Int64(maxFileBytes)
        var offset = max(offset, 0)
        if offset / fileBytes < Int64(oldest) { offset = Int64(oldest) * fileBytes }
        var result: [UInt8] = []
        while result.count < limit {
            let index = offset / fileBytes
            guard index <= Int64(newest), let fileIndex = Int(exactly: index) else { break }
            let position = Int(offset % fileBytes)
            guard let data = try? FileIO.readBytes(path(fileIndex), limit: position + (limit - result.count)) else {
                // Rotated away while reading: continue with the next file.
                offset = (index + 1) * fileBytes
                continue
            }
            if data.count <= position {
                // Nothing more in this file; move on only if it is full (a newer file exists).
                if data.count >= maxFileBytes && index < Int64(newest) {
                    offset = (index + 1) * fileBytes
                    continue
                }
                break
            }
            result.append(contentsOf: data[position...])
            offset += Int64(data.count - position)
            if offset % fileBytes != 0 && index == Int64(newest) { break }
        }
        return (result, offset)
    }

    /// New output from `offset` on, as it is written, across rotation: each element is a chunk
    /// and the offset after it. Polls every `pollInterval`; ends when the consumer stops
    /// iterating, or once `isComplete` returns true and everything written was delivered.
    public func follow(
        from offset: Int64, pollInterval: Duration = .milliseconds(200),
        isComplete: @escaping @Sendable () async -> Bool = { false }
    ) -> AsyncStream<(bytes: [UInt8], next: Int64)> {
        let reader = self
        return AsyncStream(bufferingPolicy: .bufferingOldest(8)) { continuation in
            // Lives until the consumer goes away (onTermination cancels it) or the log is complete.
            let poller = Task {
                var position = offset
                while !Task.isCancelled {
                    // Checked before reading, so output written before completion is still delivered.
                    let complete = await isComplete()
                    var delivered = false
                    while !Task.isCancelled {
                        let (bytes, next) = reader.read(from: position)
                        position = next
                        if bytes.isEmpty { break }
                        delivered = true
                        // Waits for room instead of dropping output when the consumer is slow.
                        while case .dropped = continuation.yield((bytes, next)) {
                            if Task.isCancelled { break }
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    if complete && !delivered { break }
                    try? await Task.sleep(for: pollInterval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in poller.cancel() }
        }
    }

    private func path(_ index: Int) -> String { directory + "/" + baseName + "." + String(index) }
}
