import Foundation

/// Scalars as a TensorBoard event file, in the format of torch.utils.tensorboard's
/// `SummaryWriter`, so `tensorboard --logdir` plots a run with no Python in the training loop.
///
/// Each instance starts a new file, as `SummaryWriter` does: a resumed run adds a second file to
/// the same directory, and TensorBoard reads a directory's files in name (= time) order.
/// Every record is written straight to the file, so TensorBoard sees it while the run trains;
/// `flush()` also forces it to disk. Not thread-safe: one writer per loop.
public final class TensorBoardWriter {
    /// `file_version` of the first record; TensorBoard's readers expect this exact string.
    public static let fileVersion = "brain.Event:2"

    /// The directory given to the initializer (TensorBoard's "run").
    public let directory: URL
    /// The event file this writer appends to.
    public let fileURL: URL
    private var file: AppendFile?

    /// Creates `directory` when missing and starts a new event file in it, beginning with the
    /// `file_version` record. `wallTime` (seconds since 1970) defaults to now.
    public init(directory: URL, wallTime: Double? = nil) throws {
        let time = wallTime ?? Date().timeIntervalSince1970
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError("cannot create TensorBoard folder \(directory.path): \(SystemReason.of(error))")
        }
        // Skips names that exist, so two writers never share a file, even across restarts of a
        // process that reuses its pid.
        var url: URL
        repeat {
            url = directory.appendingPathComponent(Self.fileName(
                wallTime: time, hostname: ProcessInfo.processInfo.hostName,
                processIdentifier: Int(ProcessInfo.processInfo.processIdentifier), counter: fileCounter.next()))
        } while FileManager.default.fileExists(atPath: url.path)
        fileURL = url
        file = try AppendFile(url: url, what: "the TensorBoard event file")
        try write(TFRecord.frame(Self.fileVersionEvent(wallTime: time)))
    }

    /// `SummaryWriter`'s name: `events.out.tfevents.<seconds, 10 digits>.<host>.<pid>.<counter>`.
    static func fileName(wallTime: Double, hostname: String, processIdentifier: Int, counter: Int) -> String {
        let seconds = String(Int(wallTime.rounded(.down)))
        let padded = String(repeating: "0", count: max(0, 10 - seconds.count)) + seconds
        return "events.out.tfevents.\(padded).\(hostname).\(processIdentifier).\(counter)"
    }

    /// Appends one scalar; TensorBoard stores it as a 32-bit float, as `SummaryWriter` does.
    /// `wallTime` (seconds since 1970) defaults to now.
    public func addScalar(_ tag: String, _ value: Double, step: Int, wallTime: Double? = nil) throws {
        try addScalars([(tag, value)], step: step, wallTime: wallTime)
    }

    /// Appends one event per (tag, value), all at `step`, in a single write; the same records as
    /// calling `addScalar` for each.
    public func addScalars(_ values: [(String, Double)], step: Int, wallTime: Double? = nil) throws {
        let time = wallTime ?? Date().timeIntervalSince1970
        var records: [UInt8] = []
        for (tag, value) in values {
            records += TFRecord.frame(Self.scalarEvent(tag: tag, value: Float(value), step: step, wallTime: time))
        }
        try write(records)
    }

    /// Every write is on disk already; throws once the file is closed, as a write would.
    public func flush() throws {
        guard file != nil else { throw RunError("TensorBoard event file \(fileURL.path) is already closed") }
    }

    /// Closes the file; later writes throw. Closing twice does nothing.
    public func close() throws {
        file = nil
    }

    /// Appends `bytes`, flushed to disk.
    private func write(_ bytes: [UInt8]) throws {
        guard let file else { throw RunError("TensorBoard event file \(fileURL.path) is already closed") }
        try file.append(Data(bytes))
    }

    /// Event { wall_time = 1; file_version = 3 }.
    private static func fileVersionEvent(wallTime: Double) -> [UInt8] {
        var event = ProtobufEncoder()
        event.double(1, wallTime)
        event.string(3, fileVersion)
        return event.bytes
    }

    /// Event { wall_time = 1; step = 2; summary = 5 { value = 1 { tag = 1; simple_value = 2 } } }.
    private static func scalarEvent(tag: String, value: Float, step: Int, wallTime: Double) -> [UInt8] {
        var summaryValue = ProtobufEncoder()
        summaryValue.string(1, tag)
        // In a oneof, so written even when 0; without it TensorBoard drops the value.
        summaryValue.float(2, value)
        var summary = ProtobufEncoder()
        summary.message(1, summaryValue.bytes)
        var event = ProtobufEncoder()
        event.double(1, wallTime)
        if step != 0 { event.int64(2, Int64(step)) } // proto3 leaves defaults out, as protobuf does
        event.message(5, summary.bytes)
        return event.bytes
    }
}

/// The last part of an event file's name, counted per process so that two writers started in
/// the same second get different files.
private final class FileCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let current = value
        value += 1
        return current
    }
}

private let fileCounter = FileCounter()

/// The few protobuf encodings an Event needs; hand-written so the package has no protobuf
/// dependency. Field order is the caller's, as the wire format allows.
private struct ProtobufEncoder {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private mutating func key(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// A negative value takes ten bytes (two's complement), as protobuf's int64 does.
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func message(_ field: Int, _ encoded: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(encoded.count))
        bytes += encoded
    }

    mutating func string(_ field: Int, _ value: String) {
        message(field, Array(value.utf8))
    }
}

/// TFRecord framing, shared with `TensorBoardEventReader`: length (uint64, little-endian),
/// masked CRC32C of the length, payload, masked CRC32C of the payload.
enum TFRecord {
    /// Bytes around the payload: length and its CRC before, payload CRC after.
    static let headerSize = 12
    static let footerSize = 4

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(headerSize + payload.count + footerSize)
        let length = littleEndianBytes(UInt64(payload.count))
        record += length
        record += littleEndianBytes(CRC32C.masked(length))
        record += payload
        record += littleEndianBytes(CRC32C.masked(payload))
        return record
    }

    static func littleEndianBytes<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord uses.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }

    /// TFRecord stores the CRC rotated and offset, because a CRC over data that itself contains
    /// CRCs is weak.
    static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        mask(checksum(bytes))
    }
}
