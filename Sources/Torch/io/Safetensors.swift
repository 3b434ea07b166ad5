import CZlib
import Foundation
import Reporting

/// Named tensors in the safetensors format (an 8-byte little-endian header length, a JSON header
/// of dtype/shape/data_offsets per name plus optional `__metadata__` strings, then raw
/// little-endian data), so Python's `safetensors` reads our files and we read theirs.
public enum Safetensors {
    /// Writes atomically: to a temporary file beside `url`, then renamed over it, so a crash or a
    /// full disk never leaves a half-written file under the real name.
    public static func save(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        var seen = Set<String>()
        for (name, _) in tensors where !seen.insert(name).inserted {
            throw TorchError.invalid("duplicate tensor name '\(name)' when saving \(url.path)")
        }
        var blobs: [[UInt8]] = []
        var entries: [Entry] = []
        var offset = 0
        for (name, t) in tensors {
            let bytes = try t.rawBytes()
            entries.append(Entry(name: name, dtype: "\(t.dtype)", shape: t.shape, start: offset, end: offset + bytes.count))
            offset += bytes.count
            blobs.append(bytes)
        }
        // The checksum covers the metadata, every tensor's name, dtype, shape and place, and the
        // data, so any single flipped bit, in the header or the data, is caught on loading.
        var crc = checksum(metadata: metadata, entries: entries)
        for b in blobs { crc = b.withUnsafeBytes { update(crc, $0) } }
        var stored = metadata
        stored[checksumKey] = String(format: "%08x", crc)
        var header = "{"
        var items = ["\"__metadata__\":{" + stored.keys.sorted().map { "\(jsonString($0)):\(jsonString(stored[$0]!))" }
            .joined(separator: ",") + "}"]
        for e in entries {
            items.append("\(jsonString(e.name)):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(e.start),\(e.end)]}")
        }
        header += items.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var n = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for b in blobs { data.append(contentsOf: b) }
        // Torch's errors are TorchErrors: the file layer's message, kept whole.
        do { try AtomicFile.write(data, to: url) } catch { throw TorchError.io("\(error)") }
    }

    /// Reads every tensor and the metadata. A truncated or corrupt file throws an error naming
    /// the file and what is wrong; it never crashes.
    public static func load(from url: URL) throws -> (tensors: [String: Tensor], order: [String], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw TorchError.io("cannot read \(url.path): \(SystemReason.of(error))")
        }
        func bad(_ why: String) -> TorchError { TorchError.io("\(url.path) is not a valid safetensors file: \(why)") }
        guard data.count >= 8 else { throw bad("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw bad("header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw bad("header is not a JSON object")
        }
        let body = 8 + Int(headerLength)
        let bodySize = data.count - body
        var tensors: [String: Tensor] = [:]
        var order: [(Int, String)] = []
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("metadata '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shapeAny = entry["shape"] as? [Any], let offsetsAny = entry["data_offsets"] as? [Any] else {
                throw bad("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType.fromSafetensors(dtypeName) else { throw bad("tensor '\(name)' has unsupported dtype \(dtypeName)") }
            let shape = shapeAny.compactMap(jsonInt)
            let offsets = offsetsAny.compactMap(jsonInt)
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }) else { throw bad("tensor '\(name)' has a malformed shape") }
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw bad("tensor '\(name)' has malformed data_offsets")
            }
            guard offsets[1] <= bodySize else {
                throw bad("tensor '\(name)' ends at byte \(offsets[1]) but the data section has \(bodySize) bytes (truncated file?)")
            }
            // A garbage header may claim sizes whose product overflows: refuse rather than trap.
            let elements = shape.reduce((1, false)) { acc, n in
                let p = acc.0.multipliedReportingOverflow(by: n)
                return (p.partialValue, acc.1 || p.overflow)
            }
            let bytes = elements.0.multipliedReportingOverflow(by: dtype.byteSize)
            guard !elements.1, !bytes.overflow else { throw bad("tensor '\(name)' has an impossibly large shape \(shape)") }
            let expected = bytes.partialValue
            guard offsets[1] - offsets[0] == expected else {
                throw bad("tensor '\(name)' has \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtypeName) (needs \(expected))")
            }
            let tensor = try data.withUnsafeBytes { raw in
                try Tensor(bytes: UnsafeRawBufferPointer(rebasing: raw[(body + offsets[0])..<(body + offsets[1])]),
                           shape: shape, dtype: dtype)
            }
            tensors[name] = tensor
            order.append((offsets[0], name))
            entries.append(Entry(name: name, dtype: dtypeName, shape: shape, start: offsets[0], end: offsets[1]))
        }
        // A flipped bit in the key's own name would hide the checksum: a key one bit from it is damage.
        let key = Array(checksumKey.utf8)
        if let renamed = metadata.keys.first(where: { name in
            let bytes = Array(name.utf8)
            return bytes.count == key.count && zip(bytes, key).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +) == 1
        }) {
            throw TorchError.io("\(url.path) is damaged: its checksum's key reads '\(renamed)'; it was changed after it was written")
        }
        if let stored = metadata.removeValue(forKey: checksumKey) {
            var crc = checksum(metadata: metadata, entries: entries)
            crc = data.withUnsafeBytes { update(crc, UnsafeRawBufferPointer(rebasing: $0[body...])) }
            guard stored == String(format: "%08x", crc) else {
                throw TorchError.io("\(url.path) is damaged: its contents do not match the checksum written with it "
                                    + "(crc32 \(stored), computed \(String(format: "%08x", crc))); it was cut short or changed "
                                    + "after it was written")
            }
        }
        return (tensors, order.sorted { $0 < $1 }.map(\.1), metadata)
    }

    /// The metadata key of the checksum our files carry (files from elsewhere have none and are
    /// read unchecked); `load` checks and removes it.
    public static let checksumKey = "crc32"

    /// One tensor's header entry.
    struct Entry {
        var name: String, dtype: String, shape: [Int], start: Int, end: Int
    }

    /// CRC-32 (zlib) of the metadata but the checksum itself and of every entry, in name order.
    static func checksum(metadata: [String: String], entries: [Entry]) -> UInt32 {
        var text = ""
        for key in metadata.keys.sorted() where key != checksumKey { text += "\(key)\u{0}\(metadata[key]!)\u{0}" }
        for e in entries.sorted(by: { $0.name < $1.name }) {
            text += "\(e.name)\u{0}\(e.dtype)\u{0}\(e.shape)\u{0}\(e.start)\u{0}\(e.end)\u{0}"
        }
        return Array(text.utf8).withUnsafeBytes { update(0, $0) }
    }

    /// `crc` extended over `bytes`, in pieces zlib's 32-bit length takes.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var value = UInt(crc)
        var start = 0
        while start < bytes.count {
            let length = min(bytes.count - start, 1 << 30)
            value = crc32(value, bytes.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self), UInt32(length))
            start += length
        }
        return UInt32(value)
    }

    /// A JSON number that is a whole number fitting in Int; nil for fractions, huge values and
    /// booleans (which JSONSerialization also hands back as NSNumber).
    static func jsonInt(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return value as? Int
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

extension DType {
    static func fromSafetensors(_ name: String) -> DType? {
        switch name {
        case "F32": return .float32
        case "F64": return .float64
        case "I64": return .int64
        case "U8": return .uint8
        case "BOOL": return .bool
        case "I32": return .int32
        default: return nil
        }
    }
}
