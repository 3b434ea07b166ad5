import Foundation

/// One record of a TensorBoard event file, with the fields `TensorBoardWriter` writes.
public struct TensorBoardEvent: Equatable, Sendable {
    /// One entry of the event's summary.
    public struct Value: Equatable, Sendable {
        /// The scalar's name ("train/loss", for example).
        public var tag: String
        /// Nil for kinds other than scalars (histograms, images, ...), which are skipped.
        public var simpleValue: Float?

        /// A value as read from the file.
        public init(tag: String, simpleValue: Float?) {
            self.tag = tag
            self.simpleValue = simpleValue
        }
    }

    /// Seconds since 1970.
    public var wallTime: Double
    /// The epoch (or step) the values belong to.
    public var step: Int
    /// Set on the first record of a file only ("brain.Event:2").
    public var fileVersion: String?
    /// The summary's entries (empty for the file_version record).
    public var values: [Value]

    /// An event; the file_version record has a `fileVersion` and no values.
    public init(wallTime: Double, step: Int, fileVersion: String? = nil, values: [Value] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.values = values
    }
}

/// Reads an event file back, checking both CRCs of every record, so tests (and anyone checking a
/// run) see exactly what TensorBoard will see, or a clear error naming the file and record.
public struct TensorBoardEventReader: Sendable {
    /// Why a file cannot be read; `record` counts from 0 and includes the file_version record.
    public enum ReadError: DescribedError, Equatable, Sendable {
        /// The file ends inside the record.
        case truncated(file: String, record: Int)
        /// The CRC of the record's length does not match.
        case lengthChecksumMismatch(file: String, record: Int)
        /// The CRC of the record's data does not match.
        case payloadChecksumMismatch(file: String, record: Int)
        /// The data is not an Event message.
        case malformedEvent(file: String, record: Int, reason: String)

        /// One line naming the file, the record and what is wrong.
        public var description: String {
            switch self {
            case .truncated(let file, let record):
                return "\(file): record \(record) is truncated (file cut off while writing?)"
            case .lengthChecksumMismatch(let file, let record):
                return "\(file): record \(record) has a wrong length checksum (corrupted file)"
            case .payloadChecksumMismatch(let file, let record):
                return "\(file): record \(record) has a wrong data checksum (corrupted file)"
            case .malformedEvent(let file, let record, let reason):
                return "\(file): record \(record) is not a valid Event: \(reason)"
            }
        }
    }

    /// The event file read.
    public let fileURL: URL

    /// A reader of one event file; nothing is read until `readEvents()`.
    public init(fileURL: URL) {
        self.fileURL = fileURL
    }

    /// The event files of `directory` (not its subfolders), in name order, which is the order
    /// TensorBoard reads them in.
    public static func eventFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.contains("tfevents") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Every record of the file, in order.
    public func readEvents() throws -> [TensorBoardEvent] {
        let bytes = [UInt8](try Data(contentsOf: fileURL))
        let file = fileURL.path
        var events: [TensorBoardEvent] = []
        var offset = 0
        while offset < bytes.count {
            let record = events.count
            guard bytes.count - offset >= TFRecord.headerSize else { throw ReadError.truncated(file: file, record: record) }
            let lengthBytes = bytes[offset..<offset + 8]
            guard CRC32C.masked(lengthBytes) == Self.uint32(bytes, at: offset + 8) else {
                throw ReadError.lengthChecksumMismatch(file: file, record: record)
            }
            let length = Self.uint64(bytes, at: offset)
            let start = offset + TFRecord.headerSize
            guard length <= UInt64(bytes.count - start),
                  bytes.count - start - Int(length) >= TFRecord.footerSize else {
                throw ReadError.truncated(file: file, record: record)
            }
            let end = start + Int(length)
            let payload = bytes[start..<end]
            guard CRC32C.masked(payload) == Self.uint32(bytes, at: end) else {
                throw ReadError.payloadChecksumMismatch(file: file, record: record)
            }
            do {
                events.append(try Self.decodeEvent(payload))
            } catch let error as ProtobufDecoder.Malformed {
                throw ReadError.malformedEvent(file: file, record: record, reason: error.reason)
            }
            offset = end + TFRecord.footerSize
        }
        return events
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    private static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }

    /// Event { wall_time = 1; step = 2; file_version = 3; summary = 5 }; other fields skipped.
    private static func decodeEvent(_ payload: ArraySlice<UInt8>) throws -> TensorBoardEvent {
        var event = TensorBoardEvent(wallTime: 0, step: 0)
        var decoder = ProtobufDecoder(payload)
        while let (field, wireType) = try decoder.nextKey() {
            switch (field, wireType) {
            case (1, .fixed64): event.wallTime = Double(bitPattern: try decoder.fixed64())
            case (2, .varint): event.step = Int(truncatingIfNeeded: Int64(bitPattern: try decoder.varint()))
            case (3, .lengthDelimited): event.fileVersion = try decoder.string()
            case (5, .lengthDelimited): event.values += try decodeSummary(try decoder.lengthDelimited())
            default: try decoder.skip(wireType)
            }
        }
        return event
    }

    /// Summary { repeated Value value = 1 }.
    private static func decodeSummary(_ bytes: ArraySlice<UInt8>) throws -> [TensorBoardEvent.Value] {
        var values: [TensorBoardEvent.Value] = []
        var decoder = ProtobufDecoder(bytes)
        while let (field, wireType) = try decoder.nextKey() {
            if field == 1, wireType == .lengthDelimited {
                values.append(try decodeValue(try decoder.lengthDelimited()))
            } else {
                try decoder.skip(wireType)
            }
        }
        return values
    }

    /// Summary.Value { tag = 1; simple_value = 2 }.
    private static func decodeValue(_ bytes: ArraySlice<UInt8>) throws -> TensorBoardEvent.Value {
        var value = TensorBoardEvent.Value(tag: "", simpleValue: nil)
        var decoder = ProtobufDecoder(bytes)
        while let (field, wireType) = try decoder.nextKey() {
            switch (field, wireType) {
            case (1, .lengthDelimited): value.tag = try decoder.string()
            case (2, .fixed32): value.simpleValue = Float(bitPattern: try decoder.fixed32())
            default: try decoder.skip(wireType)
            }
        }
        return value
    }
}

/// Reads the protobuf wire format field by field; just what an Event needs, plus skipping any
/// field it does not know.
private struct ProtobufDecoder {
    struct Malformed: Error {
        let reason: String
    }

    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next field number and wire type, or nil at the end.
    mutating func nextKey() throws -> (Int, WireType)? {
        guard position < bytes.endIndex else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: key & 7) else { throw Malformed(reason: "unknown wire type \(key & 7)") }
        guard key >> 3 > 0, key >> 3 <= UInt64(Int32.max) else { throw Malformed(reason: "field number \(key >> 3)") }
        return (Int(key >> 3), wireType)
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            guard position < bytes.endIndex else { throw Malformed(reason: "varint runs past the end") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return value }
        }
        throw Malformed(reason: "varint longer than 10 bytes")
    }

    mutating func fixed64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func fixed32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.endIndex - position) else { throw Malformed(reason: "field runs past the end") }
        return try take(Int(length))
    }

    mutating func string() throws -> String {
        guard let text = String(bytes: try lengthDelimited(), encoding: .utf8) else {
            throw Malformed(reason: "string is not UTF-8")
        }
        return text
    }

    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try take(8)
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try take(4)
        case .startGroup, .endGroup: throw Malformed(reason: "groups are not used by Event")
        }
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - position else { throw Malformed(reason: "field runs past the end") }
        defer { position += count }
        return bytes[position..<position + count]
    }
}
