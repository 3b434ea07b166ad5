import ArgumentParser

/// swift-argument-parser reads `--layers -1` as a flag named `-1` and says only "Missing value
/// for '--layers <layers>'". Where the next argument is a negative number, the error says how
/// to write it.
enum NegativeValueHint {
    static func message(for error: any Error, arguments: [String]) -> String? {
        let text = EntranNAS.message(for: error)
        guard text.hasPrefix("Missing value for '--") else { return nil }
        for (flag, next) in zip(arguments, arguments.dropFirst()) where flag.hasPrefix("--") && isNegativeNumber(next) {
            if text.hasPrefix("Missing value for '\(flag) ") || text.hasPrefix("Missing value for '\(flag)'") {
                return "\(flag) \(next): a negative value is read as a flag; write \(flag)=\(next)"
            }
        }
        return nil
    }

    private static func isNegativeNumber(_ text: String) -> Bool {
        text.hasPrefix("-") && Double(text) != nil
    }
}
