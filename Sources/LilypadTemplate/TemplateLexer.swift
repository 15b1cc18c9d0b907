/// A lexical item: its kind, byte offset, text and line.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Hashable {
        case error, bool, char, charConstant, comment, complex, assign, declare, eof, field, identifier
        case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
        // Keywords.
        case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword, range, template, with

        var isKeyword: Bool {
            switch self {
            case .block, .breakKeyword, .continueKeyword, .dot, .define, .elseKeyword, .end, .ifKeyword, .nilKeyword, .range,
                .template, .with:
                true
            default:
                false
            }
        }

        static let keywords: [String: Kind] = [
            ".": .dot, "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
            "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword, "template": .template,
            "with": .with,
        ]
    }

    var kind: Kind
    var position: Int
    var value: String
    var line: Int

    /// How Go's parser names the token in errors: `EOF`, `<if>`, `"text"`, or `"0123456789"...`.
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        case _ where kind.isKeyword: return "<\(value)>"
        default:
            let bytes = GoData.string(Array(value.utf8))
            return value.utf8.count > 10 ? GoFormat.format("%.10q", bytes) + "..." : GoFormat.format("%q", bytes)
        }
    }
}

/// Go's text/template lexer: splits template text into tokens on demand, one per ``next()`` call.
struct TemplateLexer {
    private static let leftDelim = Array("{{".utf8)
    private static let rightDelim = Array("}}".utf8)
    private static let leftComment = Array("/*".utf8)
    private static let rightComment = Array("*/".utf8)
    private static let endOfInput: UInt32 = 0xFFFF_FFFF

    private enum State {
        case text, leftDelim, comment, rightDelim, insideAction, space, identifier, field, variable
        case charConstant, number, quote, rawQuote
    }

    private var input: [UInt8]
    private var position = 0
    private var start = 0
    private var atEOF = false
    private var parenDepth = 0
    private var line = 1
    private var startLine = 1
    private var token: TemplateToken
    private var insideAction = false
    /// Whether `break` / `continue` are keywords (they are not when functions of those names exist).
    private let breakOK: Bool
    private let continueOK: Bool

    init(_ text: String, breakOK: Bool, continueOK: Bool) {
        input = Array(text.utf8)
        self.breakOK = breakOK
        self.continueOK = continueOK
        token = TemplateToken(kind: .eof, position: 0, value: "EOF", line: 1)
    }

    /// The next token.
    mutating func next() -> TemplateToken {
        token = TemplateToken(kind: .eof, position: position, value: "EOF", line: startLine)
        var state: State? = insideAction ? .insideAction : .text
        while let current = state { state = step(current) }
        return token
    }

    // MARK: Input

    private mutating func nextRune() -> UInt32 {
        guard position < input.count else {
            atEOF = true
            return Self.endOfInput
        }
        let (rune, width) = GoUTF8.decode(input, at: position)
        position += width
        if rune == 0x0A { line += 1 }
        return rune
    }

    private mutating func peekRune() -> UInt32 {
        let rune = nextRune()
        backup()
        return rune
    }

    private mutating func backup() {
        guard !atEOF && position > 0 else { return }
        // The input came from a Swift string, so it is valid UTF-8: step back over continuation bytes.
        position -= 1
        while position > 0 && input[position] & 0xC0 == 0x80 { position -= 1 }
        if input[position] == 0x0A { line -= 1 }
    }

    private func text(_ range: Range<Int>) -> String { String(decoding: input[range], as: UTF8.self) }

    private mutating func take(_ kind: TemplateToken.Kind) -> TemplateToken {
        let item = TemplateToken(kind: kind, position: start, value: text(start..<position), line: startLine)
        start = position
        startLine = line
        return item
    }

    private mutating func emit(_ kind: TemplateToken.Kind) -> State? {
        emit(take(kind))
    }

    private mutating func emit(_ item: TemplateToken) -> State? {
        token = item
        return nil
    }

    private mutating func ignore() {
        line += input[start..<position].lazy.filter { $0 == 0x0A }.count
        start = position
        startLine = line
    }

    private mutating func accept(_ valid: String) -> Bool {
        let rune = nextRune()
        if rune != Self.endOfInput && valid.unicodeScalars.contains(where: { $0.value == rune }) { return true }
        backup()
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while true {
            let rune = nextRune()
            if rune == Self.endOfInput || !valid.unicodeScalars.contains(where: { $0.value == rune }) { break }
        }
        backup()
    }

    private mutating func error(_ message: String) -> State? {
        token = TemplateToken(kind: .error, position: start, value: message, line: startLine)
        start = 0
        position = 0
        input = []
        return nil
    }

    private func hasPrefix(_ prefix: [UInt8], at offset: Int) -> Bool {
        offset >= 0 && offset + prefix.count <= input.count && input[offset..<offset + prefix.count].elementsEqual(prefix)
    }

    private static func isSpace(_ rune: UInt32) -> Bool { rune == 0x20 || rune == 0x09 || rune == 0x0D || rune == 0x0A }

    private static func isAlphaNumeric(_ rune: UInt32) -> Bool {
        rune == 0x5F || GoStrconv.isLetter(rune) || GoStrconv.isDigit(rune)
    }

    private func hasLeftTrimMarker(at offset: Int) -> Bool {
        offset + 2 <= input.count && input[offset] == UInt8(ascii: "-") && Self.isSpace(UInt32(input[offset + 1]))
    }

    private func hasRightTrimMarker(at offset: Int) -> Bool {
        offset + 2 <= input.count && Self.isSpace(UInt32(input[offset])) && input[offset + 1] == UInt8(ascii: "-")
    }

    /// Whether a right delimiter (possibly trim-marked) starts here.
    private func atRightDelim() -> (delim: Bool, trimSpaces: Bool) {
        if hasRightTrimMarker(at: position) && hasPrefix(Self.rightDelim, at: position + 2) { return (true, true) }
        return (hasPrefix(Self.rightDelim, at: position), false)
    }

    private func spaceCount(from offset: Int, forward: Bool, limit: Int) -> Int {
        var count = 0
        if forward {
            while offset + count < limit && Self.isSpace(UInt32(input[offset + count])) { count += 1 }
        } else {
            while offset - count > limit && Self.isSpace(UInt32(input[offset - count - 1])) { count += 1 }
        }
        return count
    }

    // MARK: States

    private mutating func step(_ state: State) -> State? {
        switch state {
        case .text: return lexText()
        case .leftDelim: return lexLeftDelim()
        case .comment: return lexComment()
        case .rightDelim: return lexRightDelim()
        case .insideAction: return lexInsideAction()
        case .space: return lexSpace()
        case .identifier: return lexIdentifier()
        case .field: return lexFieldOrVariable(.field)
        case .variable: return atTerminator() ? emit(.variable) : lexFieldOrVariable(.variable)
        case .charConstant: return lexQuoted(terminator: UInt8(ascii: "'"), kind: .charConstant, message: "unterminated character constant")
        case .number: return lexNumber()
        case .quote: return lexQuoted(terminator: UInt8(ascii: "\""), kind: .string, message: "unterminated quoted string")
        case .rawQuote: return lexRawQuote()
        }
    }

    private func firstIndex(of pattern: [UInt8], from offset: Int) -> Int? {
        guard pattern.count <= input.count else { return nil }
        var index = offset
        while index + pattern.count <= input.count {
            if input[index] == pattern[0] && input[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private mutating func lexText() -> State? {
        if let delim = firstIndex(of: Self.leftDelim, from: position) {
            if delim > position {
                position = delim
                var trim = 0
                if hasLeftTrimMarker(at: delim + Self.leftDelim.count) {
                    trim = spaceCount(from: position, forward: false, limit: start)
                }
                position -= trim
                line += input[start..<position].lazy.filter { $0 == 0x0A }.count
                let item = take(.text)
                position += trim
                ignore()
                if !item.value.isEmpty { return emit(item) }
            }
            return .leftDelim
        }
        position = input.count
        if position > start {
            line += input[start..<position].lazy.filter { $0 == 0x0A }.count
            return emit(.text)
        }
        return emit(.eof)
    }

    private mutating func lexLeftDelim() -> State? {
        position += Self.leftDelim.count
        let trimSpace = hasLeftTrimMarker(at: position)
        let afterMarker = trimSpace ? 2 : 0
        if hasPrefix(Self.leftComment, at: position + afterMarker) {
            position += afterMarker
            ignore()
            return .comment
        }
        let item = take(.leftDelim)
        insideAction = true
        position += afterMarker
        ignore()
        parenDepth = 0
        return emit(item)
    }

    private mutating func lexComment() -> State? {
        position += Self.leftComment.count
        guard let close = firstIndex(of: Self.rightComment, from: position) else { return error("unclosed comment") }
        position = close + Self.rightComment.count
        let (delim, trimSpace) = atRightDelim()
        guard delim else { return error("comment ends before closing delimiter") }
        _ = take(.comment)
        if trimSpace { position += 2 }
        position += Self.rightDelim.count
        if trimSpace { position += spaceCount(from: position, forward: true, limit: input.count) }
        ignore()
        return .text
    }

    private mutating func lexRightDelim() -> State? {
        let (_, trimSpace) = atRightDelim()
        if trimSpace {
            position += 2
            ignore()
        }
        position += Self.rightDelim.count
        let item = take(.rightDelim)
        if trimSpace {
            position += spaceCount(from: position, forward: true, limit: input.count)
            ignore()
        }
        insideAction = false
        return emit(item)
    }

    private mutating func lexInsideAction() -> State? {
        if atRightDelim().delim {
            if parenDepth == 0 { return .rightDelim }
            return error("unclosed left paren")
        }
        let rune = nextRune()
        switch rune {
        case Self.endOfInput:
            return error("unclosed action")
        case _ where Self.isSpace(rune):
            backup()
            return .space
        case UInt32(UInt8(ascii: "=")):
            return emit(.assign)
        case UInt32(UInt8(ascii: ":")):
            if nextRune() != UInt32(UInt8(ascii: "=")) { return error("expected :=") }
            return emit(.declare)
        case UInt32(UInt8(ascii: "|")):
            return emit(.pipe)
        case UInt32(UInt8(ascii: "\"")):
            return .quote
        case UInt32(UInt8(ascii: "`")):
            return .rawQuote
        case UInt32(UInt8(ascii: "$")):
            return .variable
        case UInt32(UInt8(ascii: "'")):
            return .charConstant
        case UInt32(UInt8(ascii: ".")):
            if position < input.count {
                let c = input[position]
                if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return .field }
            }
            backup()
            return .number
        case UInt32(UInt8(ascii: "+")), UInt32(UInt8(ascii: "-")), UInt32(UInt8(ascii: "0"))...UInt32(UInt8(ascii: "9")):
            backup()
            return .number
        case _ where Self.isAlphaNumeric(rune):
            backup()
            return .identifier
        case UInt32(UInt8(ascii: "(")):
            parenDepth += 1
            return emit(.leftParen)
        case UInt32(UInt8(ascii: ")")):
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right paren") }
            return emit(.rightParen)
        case 0..<0x80 where GoStrconv.isPrint(rune):
            return emit(.char)
        default:
            return error("unrecognized character in action: \(GoFormat.format("%#U", .int(Int(rune))))")
        }
    }

    private mutating func lexSpace() -> State? {
        var spaces = 0
        while Self.isSpace(peekRune()) {
            _ = nextRune()
            spaces += 1
        }
        if hasRightTrimMarker(at: position - 1) && hasPrefix(Self.rightDelim, at: position + 1) {
            backup()
            if spaces == 1 { return .rightDelim }
        }
        return emit(.space)
    }

    private mutating func lexIdentifier() -> State? {
        while true {
            let rune = nextRune()
            if rune != Self.endOfInput && Self.isAlphaNumeric(rune) { continue }
            backup()
            let word = text(start..<position)
            if !atTerminator() { return error("bad character \(GoFormat.format("%#U", .int(Int(rune))))") }
            if let keyword = TemplateToken.Kind.keywords[word], keyword.isKeyword {
                if (keyword == .breakKeyword && !breakOK) || (keyword == .continueKeyword && !continueOK) { return emit(.identifier) }
                return emit(keyword)
            }
            if word.hasPrefix(".") { return emit(.field) }
            if word == "true" || word == "false" { return emit(.bool) }
            return emit(.identifier)
        }
    }

    private mutating func lexFieldOrVariable(_ kind: TemplateToken.Kind) -> State? {
        if atTerminator() { return emit(kind == .variable ? .variable : .dot) }
        var rune: UInt32
        repeat {
            rune = nextRune()
        } while rune != Self.endOfInput && Self.isAlphaNumeric(rune)
        backup()
        if !atTerminator() { return error("bad character \(GoFormat.format("%#U", .int(Int(rune))))") }
        return emit(kind)
    }

    private mutating func atTerminator() -> Bool {
        let rune = peekRune()
        if Self.isSpace(rune) { return true }
        switch rune {
        case Self.endOfInput, 0x2E, 0x2C, 0x7C, 0x3A, 0x29, 0x28: return true  // EOF . , | : ) (
        default: return hasPrefix(Self.rightDelim, at: position)
        }
    }

    private mutating func lexQuoted(terminator: UInt8, kind: TemplateToken.Kind, message: String) -> State? {
        while true {
            var rune = nextRune()
            if rune == UInt32(UInt8(ascii: "\\")) {
                rune = nextRune()
                if rune != Self.endOfInput && rune != 0x0A { continue }
                return error(message)
            }
            if rune == Self.endOfInput || rune == 0x0A { return error(message) }
            if rune == UInt32(terminator) { break }
        }
        return emit(kind)
    }

    private mutating func lexRawQuote() -> State? {
        while true {
            let rune = nextRune()
            if rune == Self.endOfInput { return error("unterminated raw quoted string") }
            if rune == UInt32(UInt8(ascii: "`")) { break }
        }
        return emit(.rawString)
    }

    private mutating func lexNumber() -> State? {
        if !scanNumber() { return error("bad number syntax: \(GoFormat.format("%q", .string(Array(input[start..<position]))))") }
        let sign = peekRune()
        if sign == UInt32(UInt8(ascii: "+")) || sign == UInt32(UInt8(ascii: "-")) {
            if !scanNumber() || input[position - 1] != UInt8(ascii: "i") {
                return error("bad number syntax: \(GoFormat.format("%q", .string(Array(input[start..<position]))))")
            }
            return emit(.complex)
        }
        return emit(.number)
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        let rune = peekRune()
        if rune != Self.endOfInput && Self.isAlphaNumeric(rune) {
            _ = nextRune()
            return false
        }
        return true
    }
}
