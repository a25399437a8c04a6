/// The body of etcd's `POST /v3/kv/put`, `{"key": base64, "value": base64, ...}`, read without
/// Foundation's JSON: the put path is what the benchmark measures, and a general decoder
/// building a dictionary of `Any` per request costs more than the rest of the HTTP work.
/// Anything this reader does not understand (escapes inside the base64 strings, which never
/// occur) is refused, and the client sees a 400.
struct PutRequest {
    var key: [UInt8]
    var value: [UInt8]

    init?(body: [UInt8]) {
        guard let key = Self.decodedString(named: "key", in: body) else { return nil }
        self.key = key
        value = Self.decodedString(named: "value", in: body) ?? []
    }

    /// The base64 string value of the top-level member `name`, decoded.
    private static func decodedString(named name: String, in body: [UInt8]) -> [UInt8]? {
        let quotedName = [UInt8(ascii: "\"")] + Array(name.utf8) + [UInt8(ascii: "\"")]
        guard var position = firstIndex(of: quotedName, in: body) else { return nil }
        position += quotedName.count
        func skipSpace() {
            while position < body.count, body[position] == 0x20 || body[position] == 0x0A || body[position] == 0x0D || body[position] == 0x09 {
                position += 1
            }
        }
        skipSpace()
        guard position < body.count, body[position] == UInt8(ascii: ":") else { return nil }
        position += 1
        skipSpace()
        guard position < body.count, body[position] == UInt8(ascii: "\"") else { return nil }
        position += 1
        let start = position
        while position < body.count, body[position] != UInt8(ascii: "\"") {
            if body[position] == UInt8(ascii: "\\") { return nil }
            position += 1
        }
        guard position < body.count else { return nil }
        return Base64.decode(body[start..<position])
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
