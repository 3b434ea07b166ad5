import Foundation

/// The DARTS text form, `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
/// reduce=[...], reduce_concat=[2, 3, 4, 5])`, read and written so genotypes can be pasted from
/// DARTS/PC-DARTS logs and `genotypes.py` and pasted back.
///
/// Accepted cell lists: the flat DARTS list, two connections per node in order; or the nested
/// list `[[('skip_connect', 0)], [...], ...]`, one inner list per node, for free in-degree.
/// Concat: `[2, 3, 4, 5]`, `(2, 3, 4, 5)`, `range(2, 6)`, `range(6)` or `list(range(...))`.
/// Also accepted: single or double quotes, whitespace anywhere, trailing commas, keyword order
/// free, the `Genotype` head optional, and a leading `NAME =` as in `genotypes.py` or DARTS logs.
extension Genotype {
    /// Parses DARTS genotype text and validates the result.
    public init(dartsText text: String) throws {
        var parser = try GenotypeTextParser(text)
        let genotype = try parser.parse()
        try genotype.validate()
        self = genotype
    }

    /// The DARTS text: the flat DARTS form when every node has two inputs (readable by the DARTS
    /// code as is), else the nested form, which DARTS cannot express.
    public var dartsText: String {
        let flat = isTwoInput
        func connection(_ c: Connection) -> String { "('\(c.op.rawValue)', \(c.input))" }
        func cell(_ nodes: [[Connection]]) -> String {
            if flat {
                return "[" + nodes.joined().map(connection).joined(separator: ", ") + "]"
            }
            return "[" + nodes.map { "[" + $0.map(connection).joined(separator: ", ") + "]" }
                .joined(separator: ", ") + "]"
        }
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
        return "Genotype(normal=\(cell(normal)), normal_concat=\(list(normalConcat)), "
            + "reduce=\(cell(reduce)), reduce_concat=\(list(reduceConcat)))"
    }
}

extension Genotype: CustomStringConvertible {
    /// Prints like the Python namedtuple, so logs compare directly with DARTS logs.
    public var description: String { dartsText }
}

/// Why DARTS genotype text could not be read: what is wrong and the character offset where.
public struct GenotypeTextError: DescribedError, Equatable, Sendable {
    /// Character offset into the text (0-based).
    public let offset: Int
    /// What is wrong at `offset`.
    public let message: String

    /// "genotype text, offset N: message".
    public var description: String { "genotype text, offset \(offset): \(message)" }
}

// MARK: - Lexer

/// A token of the genotype text with its character offset.
private struct Token {
    enum Kind: Equatable {
        case identifier(String)
        case integer(Int)
        case otherNumber(String)
        case string(String)
        case punctuation(Character)
        case end
    }

    let kind: Kind
    let offset: Int

    /// How the token reads in an error message.
    var spelling: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .integer(let value): return "'\(value)'"
        case .otherNumber(let text): return "'\(text)'"
        case .string(let value): return "string '\(value)'"
        case .punctuation(let char): return "'\(char)'"
        case .end: return "end of text"
        }
    }
}

private func tokenize(_ text: String) throws -> [Token] {
    let chars = Array(text)
    var tokens: [Token] = []
    var i = 0
    func isIdentifierStart(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
    func isIdentifierPart(_ c: Character) -> Bool { isIdentifierStart(c) || (c.isASCII && c.isNumber) }
    while i < chars.count {
        let c = chars[i]
        let start = i
        if c.isWhitespace {
            i += 1
        } else if "()[],=".contains(c) {
            tokens.append(Token(kind: .punctuation(c), offset: start))
            i += 1
        } else if c == "'" || c == "\"" {
            i += 1
            while i < chars.count, chars[i] != c, !chars[i].isNewline { i += 1 }
            guard i < chars.count, chars[i] == c else {
                throw GenotypeTextError(offset: start, message: "unterminated string starting with \(c)")
            }
            tokens.append(Token(kind: .string(String(chars[(start + 1)..<i])), offset: start))
            i += 1
        } else if isIdentifierStart(c) {
            while i < chars.count, isIdentifierPart(chars[i]) { i += 1 }
            tokens.append(Token(kind: .identifier(String(chars[start..<i])), offset: start))
        } else if c.isASCII && (c.isNumber || c == "-" || c == "+" || c == ".") {
            i += 1
            while i < chars.count, chars[i].isASCII,
                  chars[i].isNumber || chars[i].isLetter || chars[i] == "." || chars[i] == "_" {
                i += 1
            }
            let spelling = String(chars[start..<i])
            if let value = Int(spelling) {
                tokens.append(Token(kind: .integer(value), offset: start))
            } else {
                tokens.append(Token(kind: .otherNumber(spelling), offset: start))
            }
        } else {
            throw GenotypeTextError(offset: start, message: "unexpected character '\(c)'")
        }
    }
    tokens.append(Token(kind: .end, offset: chars.count))
    return tokens
}

/// Reports the first unbalanced bracket before parsing, so a missing `]` is named as such rather
/// than surfacing as a confusing "expected ..." further on.
private func checkBrackets(_ tokens: [Token]) throws {
    var open: [(char: Character, offset: Int)] = []
    let partner: [Character: Character] = [")": "(", "]": "["]
    for token in tokens {
        guard case .punctuation(let c) = token.kind else { continue }
        if c == "(" || c == "[" {
            open.append((c, token.offset))
        } else if let expected = partner[c] {
            guard let last = open.popLast() else {
                throw GenotypeTextError(offset: token.offset, message: "unbalanced brackets: '\(c)' closes nothing")
            }
            if last.char != expected {
                throw GenotypeTextError(
                    offset: token.offset,
                    message: "unbalanced brackets: '\(c)' does not match '\(last.char)' opened at offset \(last.offset)")
            }
        }
    }
    if let last = open.last {
        throw GenotypeTextError(offset: last.offset, message: "unbalanced brackets: '\(last.char)' is never closed")
    }
}

// MARK: - Parser

/// Recursive-descent parser over the token list; one method per grammar rule.
private struct GenotypeTextParser {
    private let tokens: [Token]
    private var position = 0

    init(_ text: String) throws {
        tokens = try tokenize(text)
        try checkBrackets(tokens)
    }

    private static let fields = ["normal", "normal_concat", "reduce", "reduce_concat"]

    mutating func parse() throws -> Genotype {
        // Optional `NAME =` head, as in `DARTS_V2 = Genotype(...)` or a log's `genotype = ...`.
        if case .identifier(let name) = current.kind, !Self.fields.contains(name),
           case .punctuation("=") = peek(1).kind {
            position += 2
        }
        if case .identifier("Genotype") = current.kind { position += 1 }
        let parenthesised = isPunctuation("(")
        if parenthesised { position += 1 }
        var cells: [String: [[Connection]]] = [:]
        var concats: [String: [Int]] = [:]
        var seen = Set<String>()
        while !(parenthesised && isPunctuation(")")) && current.kind != .end {
            let fieldToken = current
            guard case .identifier(let field) = fieldToken.kind, Self.fields.contains(field) else {
                throw error("expected a field name (normal, normal_concat, reduce, reduce_concat), found \(current.spelling)")
            }
            guard seen.insert(field).inserted else { throw error("field '\(field)' appears twice") }
            position += 1
            try expect("=", "after '\(field)'")
            if field.hasSuffix("_concat") {
                concats[field] = try parseConcat(field: field)
            } else {
                cells[field] = try parseCell(field: field)
            }
            if isPunctuation(",") { position += 1 } else { break }
        }
        if parenthesised { try expect(")", "to close 'Genotype(' after the last field") }
        guard current.kind == .end else { throw error("unexpected \(current.spelling) after the genotype") }
        for field in Self.fields where !seen.contains(field) {
            throw GenotypeTextError(offset: current.offset, message: "missing field '\(field)'")
        }
        return Genotype(
            normal: cells["normal"]!, normalConcat: concats["normal_concat"]!,
            reduce: cells["reduce"]!, reduceConcat: concats["reduce_concat"]!)
    }

    /// `[('op', i), ...]` (flat, paired per node) or `[[('op', i), ...], ...]` (nested).
    private mutating func parseCell(field: String) throws -> [[Connection]] {
        let open = current
        try expect("[", "to open the connection list of '\(field)'")
        if isPunctuation("[") {
            var nodes: [[Connection]] = []
            while !isPunctuation("]") {
                try expect("[", "to open a node's list in nested '\(field)'")
                nodes.append(try parseConnections(until: "]", field: field))
                try expect("]", "to close a node's list in '\(field)'")
                if !skipComma() { break }
            }
            try expect("]", "to close '\(field)'")
            return nodes
        }
        let flat = try parseConnections(until: "]", field: field)
        try expect("]", "to close '\(field)'")
        guard flat.count % 2 == 0 else {
            throw GenotypeTextError(
                offset: open.offset,
                message: "'\(field)' is a flat list of \(flat.count) connections; the flat DARTS form needs "
                    + "two per node (use the nested form [[...], ...] for other in-degrees)")
        }
        return stride(from: 0, to: flat.count, by: 2).map { Array(flat[$0..<($0 + 2)]) }
    }

    /// Comma-separated `('op', i)` tuples up to (not including) `closer`.
    private mutating func parseConnections(until closer: Character, field: String) throws -> [Connection] {
        var connections: [Connection] = []
        while !isPunctuation(closer) {
            connections.append(try parseConnection(field: field))
            if !skipComma() { break }
        }
        return connections
    }

    /// `('op', i)`.
    private mutating func parseConnection(field: String) throws -> Connection {
        try expect("(", "to open a connection tuple like ('sep_conv_3x3', 0) in '\(field)'")
        let opToken = current
        guard case .string(let name) = opToken.kind else {
            throw error("expected a quoted op name in '\(field)', found \(current.spelling)")
        }
        guard let op = Primitive(rawValue: name) else {
            let valid = Primitive.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown op '\(name)' in '\(field)'; valid primitives: \(valid)")
        }
        position += 1
        try expect(",", "after op '\(name)' in '\(field)'")
        let input = try parseInteger(what: "input index of '\(name)' in '\(field)'")
        _ = skipComma()
        try expect(")", "to close connection ('\(name)', \(input)) in '\(field)'; a connection has exactly two elements")
        return Connection(op, input)
    }

    /// `[2, 3, 4, 5]`, `(2, 3, 4, 5)`, `range(a, b)`, `range(b)` or `list(...)` of any of these.
    private mutating func parseConcat(field: String) throws -> [Int] {
        if case .identifier("list") = current.kind, case .punctuation("(") = peek(1).kind {
            position += 2
            let values = try parseConcat(field: field)
            try expect(")", "to close list(...) in '\(field)'")
            return values
        }
        if case .identifier("range") = current.kind {
            let start = current.offset
            position += 1
            try expect("(", "after 'range' in '\(field)'")
            let first = try parseInteger(what: "range bound in '\(field)'")
            var bounds = (first: 0, last: first)
            if skipComma(), !isPunctuation(")") {
                bounds = (first, try parseInteger(what: "range bound in '\(field)'"))
                _ = skipComma()
            }
            try expect(")", "to close range(...) in '\(field)'")
            guard bounds.first < bounds.last else { return [] }
            // The text's numbers are not trusted as an allocation: every state of a cell is
            // written in the text, so a concat that names existing states spans fewer indices
            // than the text has tokens.
            let (span, overflow) = bounds.last.subtractingReportingOverflow(bounds.first)
            guard !overflow, span <= tokens.count else {
                throw GenotypeTextError(offset: start, message: "range(\(bounds.first), \(bounds.last)) in '\(field)' spans more "
                                        + "indices than this genotype has states; a concat names the cell's nodes, e.g. range(2, 6)")
            }
            return Array(bounds.first..<bounds.last)
        }
        let closer: Character
        if isPunctuation("[") { closer = "]" } else if isPunctuation("(") { closer = ")" } else {
            throw error("expected a concat list like [2, 3, 4, 5] or range(2, 6) for '\(field)', found \(current.spelling)")
        }
        position += 1
        var values: [Int] = []
        while !isPunctuation(closer) {
            values.append(try parseInteger(what: "index in '\(field)'"))
            if !skipComma() { break }
        }
        try expect(closer, "to close the indices of '\(field)'")
        return values
    }

    private mutating func parseInteger(what: String) throws -> Int {
        guard case .integer(let value) = current.kind else {
            throw error("expected an integer \(what), found \(current.spelling)")
        }
        position += 1
        return value
    }

    // MARK: helpers

    private var current: Token { tokens[position] }

    private func peek(_ distance: Int) -> Token { tokens[min(position + distance, tokens.count - 1)] }

    private func isPunctuation(_ c: Character) -> Bool { current.kind == .punctuation(c) }

    private mutating func skipComma() -> Bool {
        guard isPunctuation(",") else { return false }
        position += 1
        return true
    }

    /// Consumes `c`; `context` completes "expected 'c' ..." in the error, e.g. "to close 'normal'".
    private mutating func expect(_ c: Character, _ context: String) throws {
        guard isPunctuation(c) else { throw error("expected '\(c)' \(context), found \(current.spelling)") }
        position += 1
    }

    private func error(_ message: String) -> GenotypeTextError {
        GenotypeTextError(offset: current.offset, message: message)
    }
}
