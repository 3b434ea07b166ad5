import Foundation

/// The one JSON setup of the files this tool writes and reads: sorted keys (stable diffs),
/// unescaped slashes (paths stay readable), non-finite numbers as "inf", "-inf" and "nan" (a
/// diverged loss is still a record). Keys are snake_case (`snakeCase`, the default) in metrics,
/// settings and reports, as DARTS' and PyTorch's tools spell them; `pretty` indents files people read.
public enum JSONFormat {
    public static func encoder(snakeCase: Bool = true, pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder(snakeCase: Bool = true) -> JSONDecoder {
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// `value` as JSON text.
    public static func text<T: Encodable>(_ value: T, snakeCase: Bool = true, pretty: Bool = false) throws -> String {
        String(decoding: try encoder(snakeCase: snakeCase, pretty: pretty).encode(value), as: UTF8.self)
    }

    /// The bytes of the file at `url`, or an error naming it and the system's reason.
    public static func read(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw RunError("cannot read \(url.path): \(SystemReason.of(error))") }
    }

    /// The file at `url` decoded as `type`, or an error naming the file and what is wrong with it.
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL, snakeCase: Bool = true) throws -> T {
        let data = try read(url)
        do { return try decoder(snakeCase: snakeCase).decode(type, from: data) } catch {
            throw RunError("\(url.path) cannot be read as \(T.self) (\(describe(error))); was it written by another version?")
        }
    }

    /// A decoding error's field as a reader writes it (`normal[3][1].op`), `whole` for the top level.
    public static func codingPath(_ keys: [any CodingKey], whole: String) -> String {
        let parts = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
        return parts.isEmpty ? whole : parts.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// One line for a decoding failure: the field and what is wrong there, not Foundation's
    /// nested dump ("DecodingError.dataCorrupted(Context(codingPath: [], debugDescription: ...").
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String { codingPath(keys, whole: "the top level") }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "a value of the wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }
}
