/// Bodies: `name = value` attributes and `type "label" { … }` blocks, one per line.
extension ParserRun {
    mutating func parseFileBody() -> SyntaxBody {
        var body = parseBodyItems(insideBlock: false)
        body.span = SourceSpan(start: 0, end: bytes.count)
        return body
    }

    /// Items until the end of the file, or until the `}` that closes the block (not consumed).
    /// Items gather on the shared scratch stacks and each list is allocated once, at its
    /// final size, when the body ends.
    private mutating func parseBodyItems(insideBlock: Bool) -> SyntaxBody {
        var names = AttributeNames()
        let depth = openers.count
        let attributeBase = attributeScratch.count
        let blockBase = blockScratch.count
        // An aborted parse reads as the end of the file; checking here too keeps a missed
        // case from spinning on a token that recovery will no longer consume.
        items: while !aborted {
            ignoresNewlines = false
            let token = current
            switch token.kind {
            case .newline:
                advance()
            case .endOfFile:
                break items
            case .closeBrace:
                if insideBlock { break items }
                report("unexpected \"}\": there is no block to close", at: token.span)
                advance()
            case .identifier:
                do {
                    try parseBodyItem(names: &names, attributeBase: attributeBase, insideBlock: insideBlock)
                } catch {
                    recover(toDepth: depth)
                }
            default:
                if token.kind != .invalid {
                    report("expected an attribute or block name, found \(describe(token))", at: token.span)
                }
                recover(toDepth: depth)
            }
        }
        Self.shrink(&attributeNameHashes, to: attributeBase)
        return SyntaxBody(
            attributes: Self.takeSuffix(of: &attributeScratch, from: attributeBase),
            blocks: Self.takeSuffix(of: &blockScratch, from: blockBase))
    }

    private mutating func parseBodyItem(
        names: inout AttributeNames, attributeBase: Int, insideBlock: Bool
    ) throws(Failure) {
        let nameToken = advance()
        let (name, nameHash) = strings.string(from: nameToken.start, to: nameToken.end)
        let next = current
        switch next.kind {
        case .equals:
            advance()
            let value = try parseExpression()
            if let first = names.firstIndex(of: name, hash: nameHash, in: attributeScratch, hashes: attributeNameHashes, from: attributeBase) {
                let line = sink.source.location(of: attributeScratch[first]?.nameSpan.start ?? 0).line
                report("duplicate attribute \"\(name)\" (first defined on line \(line))", at: nameToken.span)
            } else {
                names.add(name, before: attributeScratch, from: attributeBase)
                attributeScratch.append(SyntaxAttribute(name: name, nameSpan: nameToken.span, value: value))
                attributeNameHashes.append(nameHash)
            }
            try expectEndOfItem(insideBlock: insideBlock, name: name, isBlock: false)
        case .openBrace, .quotedString, .openQuote, .identifier:
            let block = try parseBlock(type: name, typeToken: nameToken)
            blockScratch.append(block)
            try expectEndOfItem(insideBlock: true, name: name, isBlock: true)
        default:
            throw unexpected(next, expected: "\"=\" or \"{\" after \"\(name)\"")
        }
    }

    /// An item ends with its line; a `}` may follow directly in a one-line block (`a { b = 1 }`).
    private mutating func expectEndOfItem(insideBlock: Bool, name: String, isBlock: Bool) throws(Failure) {
        let token = current
        switch token.kind {
        case .newline:
            advance()
        case .endOfFile:
            break
        case .closeBrace where insideBlock:
            break
        default:
            let what = isBlock ? "the closing \"}\" of block \"\(name)\"" : "the value of \"\(name)\""
            throw unexpected(token, expected: "a newline after \(what)")
        }
    }

    private mutating func parseBlock(type: String, typeToken: Token) throws(Failure) -> SyntaxBlock {
        var labels: [SyntaxBlock.Label] = []
        while true {
            let token = current
            if token.kind == .openBrace { break }
            if token.kind == .identifier {
                advance()
                labels.append(SyntaxBlock.Label(value: name(of: token), span: token.span))
            } else if token.kind == .quotedString {
                advance()
                labels.append(SyntaxBlock.Label(value: plainString(token), span: token.span))
            } else if token.kind == .openQuote {
                labels.append(try parseLabel())
            } else {
                throw unexpected(token, expected: "\"{\" after the labels of block \"\(type)\"")
            }
        }
        let open = advance()
        var body = parseBodyItems(insideBlock: true)
        let close = current
        if close.kind == .closeBrace {
            advance()
            body.span = SourceSpan(start: open.start, end: close.end)
        } else {
            // The end of the file (or an abort): say which block is left open.
            if !aborted { reportUnclosed(open) }
            body.span = SourceSpan(start: open.start, end: bytes.count)
        }
        return SyntaxBlock(type: type, typeSpan: typeToken.span, labels: labels, body: body)
    }

    /// A quoted label: plain text only, since labels are names known before evaluation.
    private mutating func parseLabel() throws(Failure) -> SyntaxBlock.Label {
        let expression = try parseQuotedTemplate()
        if case .literal(.string(let value), let span) = expression {
            return SyntaxBlock.Label(value: value, span: span)
        }
        report(
            "a block label must be plain text; \"${…}\" and \"%{…}\" are not allowed in labels",
            at: expression.span)
        let span = expression.span
        return SyntaxBlock.Label(value: sink.source.text(of: SourceSpan(start: span.start + 1, end: span.end - 1)), span: span)
    }
}

extension ParserRun {
    /// Finds an earlier attribute of the same name in the current body (the part of the
    /// scratch stack from `base`): a scan for the usual handful of attributes, a dictionary
    /// once a body grows large, so that a generated file cannot make the check quadratic.
    struct AttributeNames {
        private var indexes: [String: Int] = [:]
        private var usesDictionary = false
        private static let scanLimit = 12

        func firstIndex(
            of name: String, hash: UInt64, in attributes: [SyntaxAttribute?], hashes: [UInt64], from base: Int
        ) -> Int? {
            if usesDictionary { return indexes[name] }
            var index = base
            while index < hashes.count {
                if hashes[index] == hash, attributes[index]?.name == name { return index }
                index += 1
            }
            return nil
        }

        /// Records `name` just before it is appended to `attributes`.
        mutating func add(_ name: String, before attributes: [SyntaxAttribute?], from base: Int) {
            if !usesDictionary {
                guard attributes.count - base >= Self.scanLimit else { return }
                usesDictionary = true
                for index in base..<attributes.count {
                    if let existing = attributes[index]?.name, indexes[existing] == nil { indexes[existing] = index }
                }
            }
            if indexes[name] == nil { indexes[name] = attributes.count }
        }
    }
}
