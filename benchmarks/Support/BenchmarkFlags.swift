import Foundation

/// The `--name N` integer flags every benchmark executable takes, with defaults. A bad or
/// unknown flag prints the usage line and exits with status 2.
public struct BenchmarkFlags {
    private var values: [String: Int]

    public init(_ arguments: some Collection<String>, defaults: [String: Int], usage: String) {
        values = defaults
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let name = String(flag.drop { $0 == "-" })
            guard flag.hasPrefix("--"), values[name] != nil else {
                emit("unknown flag \(flag); \(usage)")
                exit(2)
            }
            guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else {
                emit(usage)
                exit(2)
            }
            values[name] = value
        }
    }

    public subscript(_ name: String) -> Int { values[name]! }
}

/// Writes a line unbuffered, so a piped run shows each row as it is measured (stack notes,
/// pitfall 5: a crashing process loses buffered output).
public func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
