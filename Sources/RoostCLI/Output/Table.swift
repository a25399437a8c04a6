/// Columns aligned by padding, as `nomad status` and `docker ps` print them: a header row, then
/// one row per item, columns separated by two spaces. The last column is not padded, so no line
/// ends in spaces.
struct Table {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func append(_ cells: [String]) {
        rows.append(cells)
    }

    /// Characters a terminal shows: colour escapes (`ESC [ … m`) take no room.
    static func visibleWidth(_ cell: String) -> Int {
        var width = 0
        var inEscape = false
        for character in cell {
            if inEscape {
                if character == "m" { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }

    func rendered() -> String {
        let allRows = [headers] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in allRows {
            for (column, cell) in row.prefix(headers.count).enumerated() {
                widths[column] = max(widths[column], Self.visibleWidth(cell))
            }
        }
        var lines: [String] = []
        for row in allRows {
            var line = ""
            for column in 0..<headers.count {
                let cell = column < row.count ? row[column] : ""
                if column == headers.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[column] - Self.visibleWidth(cell) + 2)
                }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
