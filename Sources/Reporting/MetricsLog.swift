import Foundation

/// `metrics.jsonl`: one JSON object per epoch, appended and flushed as each epoch ends, so plots
/// and scripts can follow a run while it trains. Keys are written in snake_case and sorted.
public final class MetricsLog: @unchecked Sendable {
    /// The metrics.jsonl file.
    public let url: URL
    private let file: AppendFile

    /// Opens `url` for appending, creating it when missing.
    public init(url: URL) throws {
        self.url = url
        file = try AppendFile(url: url, what: "the metrics file")
    }

    /// Appends one record as a single line and flushes it to disk.
    public func append<Record: Encodable>(_ record: Record) throws {
        var data: Data
        do { data = try JSONFormat.encoder().encode(record) } catch {
            throw RunError("cannot encode a metrics record for \(url.path): \(SystemReason.of(error))")
        }
        data.append(0x0A)
        try file.append(data)
    }

    /// A record as the JSON object it is written as (snake_case keys).
    public static func jsonObject<Record: Encodable>(_ record: Record) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: JSONFormat.encoder().encode(record)) as? [String: Any] else {
            throw RunError("a metrics record is not a JSON object")
        }
        return object
    }

    /// The records of a metrics file as JSON objects, skipping blank lines.
    public static func read(_ url: URL) throws -> [[String: Any]] {
        let data = try JSONFormat.read(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw RunError("\(url.path) is not UTF-8 text: the file is damaged; restore it from a copy")
        }
        return try text.split(separator: "\n").enumerated().compactMap { number, line in
            if line.allSatisfy(\.isWhitespace) { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw RunError("\(url.path) line \(number + 1) is not a JSON object: the file is damaged (a write cut short?); "
                               + "remove that line, or restore the file from a copy")
            }
            return object
        }
    }

    /// Drops the records of epochs after `epoch` (those a resumed run will redo), rewriting the
    /// file atomically. Records without an integer `epoch` key are kept.
    public static func rewind(_ url: URL, keepingThrough epoch: Int, key: String = "epoch") throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw RunError("cannot read \(url.path)") }
        let kept = text.split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let value = object[key] as? Int else { return !line.allSatisfy(\.isWhitespace) }
            return value <= epoch
        }
        let body = kept.map { $0 + "\n" }.joined()
        if body != text { try AtomicFile.write(Data(body.utf8), to: url) }
    }

    /// The last line of a metrics file, decoded; nil when the file has no line.
    public static func lastRecord<Record: Decodable>(_ type: Record.Type, in url: URL) throws -> Record? {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let line = text.split(separator: "\n").last else { return nil }
        do { return try JSONFormat.decoder().decode(Record.self, from: Data(line.utf8)) } catch {
            throw RunError("\(url.path): the last line cannot be read (\(error)); was it written by another version?")
        }
    }
}
