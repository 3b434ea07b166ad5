import Foundation

/// The `--name N` integer flags and `--name WORD` choices every benchmark executable takes, with
/// defaults (a choice defaults to its first word). A bad or unknown flag prints the usage line
/// and exits with status 2.
public struct BenchmarkFlags {
    private var values: [String: Int]
    private var chosen: [String: String]

    public init(_ arguments: some Collection<String>, defaults: [String: Int], choices: [String: [String]] = [:],
                usage: String) {
        values = defaults
        chosen = choices.compactMapValues(\.first)
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let name = String(flag.drop { $0 == "-" })
            guard flag.hasPrefix("--"), values[name] != nil || choices[name] != nil else {
                emit("unknown flag \(flag); \(usage)")
                exit(2)
            }
            if let words = choices[name] {
                guard let word = rest.popFirst(), words.contains(word) else {
                    emit("\(flag) takes one of \(words.joined(separator: ", ")); \(usage)")
                    exit(2)
                }
                chosen[name] = word
                continue
            }
            guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else {
                emit(usage)
                exit(2)
            }
            values[name] = value
        }
    }

    public subscript(_ name: String) -> Int { values[name]! }

    /// The word given for the choice flag `name`, or its default.
    public func choice(_ name: String) -> String { chosen[name]! }
}

/// Writes a line unbuffered, so a piped run shows each row as it is measured (a crashing
/// process loses buffered output: docs/libtorch-binding.md#buffered-output).
public func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
