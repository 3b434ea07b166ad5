import XCTest
@testable import Reporting

/// Event files against known checksums and read back through `TensorBoardEventReader`;
/// scripts/check-tensorboard.sh checks the same files with TensorBoard itself.
final class TensorBoardWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tensorboard-writer-tests-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testCRC32CMatchesKnownVectors() {
        // RFC 3720 (iSCSI) B.4 and the usual check value.
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    }

    func testMaskedCRCMatchesTensorFlow() {
        // Values from tensorboard.compat.tensorflow_stub's masked_crc32c.
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.masked([UInt8](repeating: 0, count: 8)), 0x0798_0329)
    }

    func testScalarsReadBackWithTagsStepsAndFloatValues() throws {
        let writer = try TensorBoardWriter(directory: directory, wallTime: 1_700_000_000.25)
        try writer.addScalar("train/loss", 0.1, step: 1, wallTime: 1_700_000_001.5)
        try writer.addScalar("train/loss", 0.0, step: 0)
        try writer.addScalars([("valid/accuracy", 0.875), ("valid/loss", -3.3)], step: 1 << 40)
        try writer.close()

        let events = try TensorBoardEventReader(fileURL: writer.fileURL).readEvents()
        XCTAssertEqual(events.count, 5)
        XCTAssertEqual(events[0], TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, fileVersion: "brain.Event:2"))
        XCTAssertEqual(events[1], TensorBoardEvent(wallTime: 1_700_000_001.5, step: 1,
                                                   values: [.init(tag: "train/loss", simpleValue: Float(0.1))]))
        XCTAssertEqual(events[2].values, [.init(tag: "train/loss", simpleValue: 0)], "a zero value must still be written")
        XCTAssertEqual(events.dropFirst().map(\.step), [1, 0, 1 << 40, 1 << 40])
        XCTAssertEqual(events.dropFirst(3).flatMap(\.values),
                       [.init(tag: "valid/accuracy", simpleValue: 0.875), .init(tag: "valid/loss", simpleValue: Float(-3.3))])
        XCTAssertEqual(events[3].wallTime, events[4].wallTime, "one write shares one time")
        XCTAssertEqual(events[3].wallTime, Date().timeIntervalSince1970, accuracy: 60)
        XCTAssertTrue(events.dropFirst().allSatisfy { $0.fileVersion == nil })
    }

    func testFirstRecordHasTheExactBytesOfSummaryWriter() throws {
        let writer = try TensorBoardWriter(directory: directory, wallTime: 1.5)
        try writer.close()
        // Event(wall_time=1.5, file_version="brain.Event:2").SerializeToString(), framed.
        let payload: [UInt8] = [0x09] + TFRecord.littleEndianBytes((1.5).bitPattern) + [0x1A, 13] + Array("brain.Event:2".utf8)
        let length = TFRecord.littleEndianBytes(UInt64(payload.count))
        let expected = length + TFRecord.littleEndianBytes(CRC32C.masked(length)) + payload
            + TFRecord.littleEndianBytes(CRC32C.masked(payload))
        XCTAssertEqual([UInt8](try Data(contentsOf: writer.fileURL)), expected)
    }

    func testScalarRecordHasTheBytesOfProtobuf() throws {
        let writer = try TensorBoardWriter(directory: directory, wallTime: 1.5)
        try writer.addScalar("loss", 0.1, step: 7, wallTime: 1.5)
        try writer.close()
        // Event(wall_time=1.5, step=7, summary=Summary(value=[Summary.Value(tag="loss",
        // simple_value=0.1)])).SerializeToString() with tensorboard 2.21's protobuf classes.
        let protobuf: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x10, 0x07, 0x2A, 0x0D, 0x0A, 0x0B, 0x0A, 0x04,
                                 0x6C, 0x6F, 0x73, 0x73, 0x15, 0xCD, 0xCC, 0xCC, 0x3D]
        let bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        let firstRecordSize = TFRecord.headerSize + Int(bytes[0]) + TFRecord.footerSize
        XCTAssertEqual(Array(bytes[firstRecordSize...]), TFRecord.frame(protobuf))
    }

    func testCorruptedPayloadByteThrowsNamingFileAndRecord() throws {
        let url = try writeSample()
        var bytes = [UInt8](try Data(contentsOf: url))
        let firstRecordSize = TFRecord.headerSize + Int(bytes[0]) + TFRecord.footerSize
        bytes[firstRecordSize + TFRecord.headerSize + 3] ^= 0x01 // inside record 1's payload
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try TensorBoardEventReader(fileURL: url).readEvents()) { error in
            XCTAssertEqual(error as? TensorBoardEventReader.ReadError, .payloadChecksumMismatch(file: url.path, record: 1))
            XCTAssertTrue("\(error)".contains(url.lastPathComponent), "\(error)")
        }
    }

    func testCorruptedLengthThrows() throws {
        let url = try writeSample()
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[0] ^= 0x04
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try TensorBoardEventReader(fileURL: url).readEvents()) { error in
            XCTAssertEqual(error as? TensorBoardEventReader.ReadError, .lengthChecksumMismatch(file: url.path, record: 0))
        }
    }

    func testTruncatedFileThrows() throws {
        let url = try writeSample()
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(try TensorBoardEventReader(fileURL: url).readEvents().count, 3)
        // Cuts inside the last record (40 bytes): its CRC, its payload, its header.
        for cut in [1, 4, 5, 30, 39] {
            try bytes.dropLast(cut).write(to: url)
            XCTAssertThrowsError(try TensorBoardEventReader(fileURL: url).readEvents(), "cut \(cut)") { error in
                XCTAssertEqual(error as? TensorBoardEventReader.ReadError, .truncated(file: url.path, record: 2), "cut \(cut)")
            }
        }
    }

    func testFileNameFollowsSummaryWriter() throws {
        XCTAssertEqual(TensorBoardWriter.fileName(wallTime: 1_700_000_123.9, hostname: "node1", processIdentifier: 42, counter: 3),
                       "events.out.tfevents.1700000123.node1.42.3")
        XCTAssertEqual(TensorBoardWriter.fileName(wallTime: 12.5, hostname: "h", processIdentifier: 1, counter: 0),
                       "events.out.tfevents.0000000012.h.1.0")

        let before = Int(Date().timeIntervalSince1970)
        let first = try TensorBoardWriter(directory: directory)
        let second = try TensorBoardWriter(directory: directory)
        let after = Int(Date().timeIntervalSince1970)
        XCTAssertNotEqual(first.fileURL, second.fileURL, "each writer starts its own file")
        XCTAssertEqual(first.fileURL.deletingLastPathComponent().path, directory.path)
        let host = NSRegularExpression.escapedPattern(for: ProcessInfo.processInfo.hostName)
        let pattern = try NSRegularExpression(
            pattern: #"^events\.out\.tfevents\.(\d{10})\.\#(host)\.\#(ProcessInfo.processInfo.processIdentifier)\.(\d+)$"#)
        var counters: [Int] = []
        for url in [first.fileURL, second.fileURL] {
            let name = url.lastPathComponent
            let match = try XCTUnwrap(pattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)), name)
            let seconds = try XCTUnwrap(Int(name[Range(match.range(at: 1), in: name)!]))
            XCTAssertTrue((before...after).contains(seconds), name)
            counters.append(try XCTUnwrap(Int(name[Range(match.range(at: 2), in: name)!])))
        }
        XCTAssertGreaterThan(counters[1], counters[0])
        XCTAssertEqual(try TensorBoardEventReader.eventFiles(in: directory).map(\.lastPathComponent).sorted(),
                       [first.fileURL, second.fileURL].map(\.lastPathComponent).sorted())
    }

    func testWritingAfterCloseThrows() throws {
        let writer = try TensorBoardWriter(directory: directory)
        try writer.close()
        try writer.close()
        XCTAssertThrowsError(try writer.addScalar("loss", 1, step: 1))
        XCTAssertThrowsError(try writer.flush())
    }

    func testUnwritableDirectoryThrows() throws {
        let file = directory.appendingPathComponent("not-a-folder")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try TensorBoardWriter(directory: file.appendingPathComponent("run"))) { error in
            XCTAssertTrue("\(error)".contains("not-a-folder"), "\(error)")
        }
    }

    /// A file of three records: file_version, then two scalars.
    private func writeSample() throws -> URL {
        let writer = try TensorBoardWriter(directory: directory, wallTime: 100)
        try writer.addScalar("loss", 2.5, step: 1, wallTime: 101)
        try writer.addScalar("loss", 1.25, step: 2, wallTime: 102)
        try writer.close()
        return writer.fileURL
    }
}
