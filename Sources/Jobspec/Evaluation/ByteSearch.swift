/// Finds non-overlapping occurrences of a byte string, left to right, in linear time
/// (Knuth–Morris–Pratt), so that `replace` and `split` stay fast on hostile input such as a
/// long run of one letter searched in another.
enum ByteSearch {
    static func ranges(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        // failure[i]: length of the longest proper prefix of needle[0...i] that is also its suffix.
        var failure = [Int](repeating: 0, count: needle.count)
        var matched = 0
        for index in 1..<max(1, needle.count) {
            while matched > 0, needle[index] != needle[matched] { matched = failure[matched - 1] }
            if needle[index] == needle[matched] { matched += 1 }
            failure[index] = matched
        }
        var found: [Range<Int>] = []
        matched = 0
        for (index, byte) in haystack.enumerated() {
            while matched > 0, byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count {
                found.append((index + 1 - needle.count)..<(index + 1))
                matched = 0
            }
        }
        return found
    }
}
