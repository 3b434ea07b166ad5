import Foundation
import Reporting
import XCTest
import Torch

/// The safetensors reader and writer, and the atomic file write under it (io/Safetensors.swift,
/// io/AtomicFile.swift).
final class SafetensorsTests: XCTestCase {
    private var folder: URL!

    override func setUp() { folder = temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func sample() throws -> [(String, Tensor)] {
        [
            ("cells.3.ops.5.op.1.weight", try Tensor((0..<24).map { Float($0) * 0.5 - 3 }, shape: [2, 3, 2, 2])),
            ("alphas_normal", try Tensor([0.1, -1e-300, .pi, 1e300], shape: [2, 2])),
            ("bn.num_batches_tracked", try Tensor([Int64(123_456_789_012)], shape: [])),
            ("mask.u8", try Tensor([0, 1, 255, 7] as [Int64], shape: [4]).to(.uint8)),
            ("mask.bool", try Tensor([1, 0, 1] as [Float], shape: [3]).to(.bool)),
            ("labels.i32", try Tensor([-5, 70_000] as [Int64], shape: [1, 2]).to(.int32)),
            ("empty", try Tensor.zeros([0, 3])),
        ]
    }

    func testRoundTripKeepsNamesDtypesShapesValuesAndMetadata() throws {
        let url = folder.appendingPathComponent("round.safetensors")
        let tensors = try sample()
        let metadata = ["format": "pt", "genotype": "Genotype(normal=[('sep_conv_3x3', 0)])",
                        "quote\"and\\slash": "line\nbreak\ttab é ✓"]
        try Safetensors.save(tensors, metadata: metadata, to: url)
        let loaded = try Safetensors.load(from: url)
        XCTAssertEqual(loaded.order, tensors.map(\.0), "file order follows the save order")
        XCTAssertEqual(loaded.metadata, metadata)
        for (name, original) in tensors {
            guard let t = loaded.tensors[name] else { XCTFail("\(name) missing"); continue }
            XCTAssertEqual(t.dtype, original.dtype, name)
            XCTAssertEqual(t.shape, original.shape, name)
            XCTAssertEqual(try t.rawBytes(), try original.rawBytes(), "\(name) is bit-identical")
        }
        XCTAssertEqual(try loaded.tensors["alphas_normal"]?.doubles(), [0.1, -1e-300, .pi, 1e300])
        XCTAssertEqual(try loaded.tensors["mask.u8"]?.bytes(), [0, 1, 255, 7])
        XCTAssertEqual(try loaded.tensors["labels.i32"]?.int64s(), [-5, 70_000])
        XCTAssertEqual(try loaded.tensors["bn.num_batches_tracked"]?.itemInt(), 123_456_789_012)
    }

    func testFileLayoutFollowsTheFormat() throws {
        let url = folder.appendingPathComponent("layout.safetensors")
        try Safetensors.save([("a.b", Tensor([1, 2] as [Float])), ("c", Tensor([Int64(3)], shape: [1]))],
                             metadata: ["k": "v"], to: url)
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes so the data is aligned")
        XCTAssertEqual(data.count, 8 + n + 8 + 8)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        let a = header["a.b"] as! [String: Any], c = header["c"] as! [String: Any]
        XCTAssertEqual(a["dtype"] as? String, "F32")
        XCTAssertEqual(a["shape"] as? [Int], [2])
        XCTAssertEqual(a["data_offsets"] as? [Int], [0, 8])
        XCTAssertEqual(c["dtype"] as? String, "I64")
        XCTAssertEqual(c["data_offsets"] as? [Int], [8, 16])
        let metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        XCTAssertEqual(metadata.filter { $0.key != "crc32" }, ["k": "v"])
        XCTAssertEqual(metadata["crc32"]?.count, 8, "the checksum, 8 hex digits")
        XCTAssertEqual(Array(data[(8 + n)..<(8 + n + 4)]), [0, 0, 0x80, 0x3f], "little-endian 1.0f")
    }

    /// Files hold NCHW row-major data whatever the tensor's memory format, as PyTorch's writer does.
    func testChannelsLastTensorsAreWrittenInNCHWOrder() throws {
        let url = folder.appendingPathComponent("nhwc.safetensors")
        let values = (0..<24).map(Float.init)
        let nhwc = try Tensor(values, shape: [2, 3, 2, 2]).contiguous(.channelsLast)
        XCTAssertFalse(nhwc.isContiguous(), "the fixture really is laid out NHWC")
        try Safetensors.save([("w", nhwc)], to: url)
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let stored = data.suffix(from: 8 + n).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(stored, values, "the data section is in NCHW order")
        let loaded = try XCTUnwrap(Safetensors.load(from: url).tensors["w"])
        XCTAssertEqual(loaded.shape, [2, 3, 2, 2])
        XCTAssertEqual(try loaded.floats(), values)
    }

    func testSaveIsAtomicAndOverwrites() throws {
        let url = folder.appendingPathComponent("nested/deeper/x.safetensors")
        try Safetensors.save([("x", Tensor([1] as [Float]))], to: url)
        try Safetensors.save([("y", Tensor([2] as [Float]))], to: url)
        XCTAssertEqual(try Safetensors.load(from: url).order, ["y"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["x.safetensors"], "no temporary file is left behind")
    }

    func testSaveRejectsDuplicateNamesAndUnwritablePlaces() throws {
        let url = folder.appendingPathComponent("dup.safetensors")
        assertThrowsTorchError("duplicate", containing: ["'w'", url.path]) {
            try Safetensors.save([("w", Tensor.zeros([1])), ("w", Tensor.zeros([1]))], to: url)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        let blocker = folder.appendingPathComponent("file")
        try AtomicFile.write("not a folder", to: blocker)
        let inside = blocker.appendingPathComponent("x.safetensors")
        assertThrowsTorchError("parent is a file", containing: [blocker.path]) {
            try Safetensors.save([("w", Tensor.zeros([1]))], to: inside)
        }
    }

    func testAtomicFileWritesText() throws {
        let url = folder.appendingPathComponent("a/b.txt")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
    }

    // MARK: damaged files: always a thrown TorchError naming the file, never a crash

    /// Writes `bytes` and asserts that loading it throws an error naming the file.
    private func assertRejected(_ what: String, _ bytes: [UInt8], mentioning extra: [String] = [],
                                file: StaticString = #filePath, line: UInt = #line) {
        let url = folder.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data(bytes)))
        assertThrowsTorchError(what, containing: [url.path] + extra, file: file, line: line) {
            try Safetensors.load(from: url)
        }
    }

    private func file(header: String, body: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + body
    }

    func testMissingFile() {
        let url = folder.appendingPathComponent("nope.safetensors")
        assertThrowsTorchError("missing file", containing: [url.path]) { try Safetensors.load(from: url) }
        assertThrowsTorchError("a folder", containing: [folder.path]) { try Safetensors.load(from: folder) }
    }

    func testTruncatedFiles() throws {
        let url = folder.appendingPathComponent("good.safetensors")
        try Safetensors.save(sample(), metadata: ["a": "b"], to: url)
        let good = [UInt8](try Data(contentsOf: url))
        // Every prefix shorter than the whole file must be refused (a crash here fails the run).
        for cut in [0, 1, 7, 8, 9, 20, good.count / 2, good.count - 9, good.count - 1] {
            assertRejected("truncated to \(cut) bytes", Array(good.prefix(cut)))
        }
        assertRejected("data cut short", Array(good.prefix(good.count - 1)), mentioning: ["truncated"])
        assertRejected("empty file", [], mentioning: ["0 bytes"])
    }

    func testCorruptHeaders() {
        assertRejected("header length beyond the file", withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init) + [0x7b, 0x7d],
                       mentioning: ["1000"])
        assertRejected("absurd header length", withUnsafeBytes(of: UInt64.max.littleEndian, Array.init) + [1, 2, 3])
        assertRejected("random bytes", (0..<64).map { UInt8(($0 * 73 + 11) % 256) })
        assertRejected("garbage JSON", file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "))
        assertRejected("not UTF-8", withUnsafeBytes(of: UInt64(4).littleEndian, Array.init) + [0x7b, 0xff, 0xfe, 0x7d])
        assertRejected("a JSON array", file(header: "[1, 2, 3]"), mentioning: ["not a JSON object"])
        assertRejected("entry is a string", file(header: "{\"w\": \"F32\"}"), mentioning: ["'w'"])
        assertRejected("no dtype", file(header: "{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", body: [0, 0, 0, 0]),
                       mentioning: ["'w'"])
        assertRejected("unknown dtype", file(header: "{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [1], \"data_offsets\": [0, 1]}}",
                                             body: [0]), mentioning: ["F8_E4M3"])
        assertRejected("negative size", file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}",
                                             body: [0, 0, 0, 0]), mentioning: ["'w'"])
        assertRejected("shape of strings", file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [\"2\"], \"data_offsets\": [0, 8]}}",
                                                body: [UInt8](repeating: 0, count: 8)), mentioning: ["'w'"])
        assertRejected("reversed offsets", file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 0]}}",
                                                body: [0]), mentioning: ["'w'"])
        assertRejected("one offset", file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1]}}",
                                          body: [0]), mentioning: ["'w'"])
        assertRejected("metadata not an object", file(header: "{\"__metadata__\": 3}"), mentioning: ["__metadata__"])
        assertRejected("metadata value not a string", file(header: "{\"__metadata__\": {\"epoch\": 3}}"), mentioning: ["epoch"])
    }

    func testWrongLengthsAndOverflowingShapes() {
        assertRejected("length does not match the shape",
                       file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 12]}}",
                            body: [UInt8](repeating: 0, count: 12)), mentioning: ["'w'", "12 bytes", "needs 16"])
        assertRejected("offsets beyond the data",
                       file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", body: [0, 0, 0, 0]),
                       mentioning: ["'w'", "truncated"])
        // Sizes whose product overflows 64 bits must be refused, not trap on overflow.
        assertRejected("shape product overflows",
                       file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 0]}}"),
                       mentioning: ["'w'"])
        assertRejected("shape times element size overflows",
                       file(header: "{\"w\": {\"dtype\": \"F64\", \"shape\": [4611686018427387904], \"data_offsets\": [0, 0]}}"),
                       mentioning: ["'w'"])
        // Each huge number alone, the other field valid, so each check is the one that refuses.
        assertRejected("huge shape",
                       file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [1e300], \"data_offsets\": [0, 1]}}", body: [0]),
                       mentioning: ["'w' has a malformed shape"])
        assertRejected("huge data offset",
                       file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 18446744073709551615]}}", body: [0]),
                       mentioning: ["'w' has malformed data_offsets"])
        assertRejected("fractional size",
                       file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [1.5], \"data_offsets\": [0, 1]}}", body: [0]),
                       mentioning: ["'w'"])
        assertRejected("boolean size",
                       file(header: "{\"w\": {\"dtype\": \"U8\", \"shape\": [true], \"data_offsets\": [0, 1]}}", body: [0]),
                       mentioning: ["'w'"])
    }

    // MARK: interoperability with Python's safetensors (benchmarks/safetensors_interop.sh)

    /// The fixture both sides write and check; keep in step with the script's Python half.
    static func interopFixture() throws -> [(String, Tensor)] {
        [
            ("cells.0.ops.1.op.1.weight", try Tensor((0..<24).map { Float($0) * 0.5 - 3 }, shape: [2, 3, 4])),
            ("alphas", try Tensor([0.1, -2.5, 1e300, .pi], shape: [2, 2])),
            ("step", try Tensor([Int64(123_456_789_012)], shape: [])),
            ("mask", try Tensor([0, 1, 255] as [Int64], shape: [3]).to(.uint8)),
            ("flags", try Tensor([1, 0, 1] as [Float], shape: [3]).to(.bool)),
            ("labels", try Tensor([-5, 70_000] as [Int64], shape: [2]).to(.int32)),
        ]
    }

    /// Reads the file Python wrote and writes one for Python to read. Runs only when the script
    /// sets SAFETENSORS_INTEROP_DIR.
    func testPythonInterop() throws {
        guard let dir = ProcessInfo.processInfo.environment["SAFETENSORS_INTEROP_DIR"] else {
            throw XCTSkip("run benchmarks/safetensors_interop.sh to check against Python's safetensors")
        }
        let folder = URL(fileURLWithPath: dir)
        let fromPython = try Safetensors.load(from: folder.appendingPathComponent("python.safetensors"))
        XCTAssertEqual(fromPython.metadata, ["format": "pt", "writer": "python é"])
        XCTAssertEqual(Set(fromPython.order), Set(try Self.interopFixture().map(\.0)))
        for (name, expected) in try Self.interopFixture() {
            guard let t = fromPython.tensors[name] else { XCTFail("\(name) missing"); continue }
            XCTAssertEqual(t.dtype, expected.dtype, name)
            XCTAssertEqual(t.shape, expected.shape, name)
            XCTAssertEqual(try t.rawBytes(), try expected.rawBytes(), name)
        }
        try Safetensors.save(Self.interopFixture(), metadata: ["format": "pt", "writer": "swift é"],
                             to: folder.appendingPathComponent("swift.safetensors"))
    }

    func testFilesWithExtraSpaceAndNoTensorsLoad() throws {
        // Python's writer pads the header with spaces; a file may hold only metadata.
        let url = folder.appendingPathComponent("meta.safetensors")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data(file(header: "{\"__metadata__\":{\"a\":\"b\"}}   "))))
        let loaded = try Safetensors.load(from: url)
        XCTAssertTrue(loaded.tensors.isEmpty)
        XCTAssertEqual(loaded.metadata, ["a": "b"])
    }

    /// A file cut short at any length, or with any single bit flipped, in the length, the header
    /// or the data, is refused with an error naming it, or (a flip the format cannot see, in the
    /// header's padding) reads back exactly what was written: never a crash, never other numbers.
    func testTruncatedOrBitFlippedFilesNeverLoadWrongNumbers() throws {
        let url = folder.appendingPathComponent("fragile.safetensors")
        let weights = try Tensor([0.5, -1.25, 3, 4e-3, 7], shape: [5])
        try Safetensors.save([("w", weights), ("step", try Tensor.full([], 12, dtype: .int64))],
                             metadata: ["epoch": "3"], to: url)
        let original = try Data(contentsOf: url)
        let damaged = folder.appendingPathComponent("damaged.safetensors")
        func outcome(_ bytes: Data) throws -> String {
            try bytes.write(to: damaged)
            do {
                let file = try Safetensors.load(from: damaged)
                let same = try file.tensors["w"]?.floats() == weights.floats() && file.tensors["step"]?.itemInt() == 12
                    && file.metadata == ["epoch": "3"] && file.tensors.count == 2
                return same ? "same" : "WRONG"
            } catch {
                XCTAssertTrue("\(error)".contains(damaged.path), "the error names the file: \(error)")
                return "refused"
            }
        }
        for length in [0, 3, 8, 9, 40, original.count / 2, original.count - 9, original.count - 1] {
            XCTAssertEqual(try outcome(original.prefix(length)), "refused", "cut to \(length) bytes")
        }
        var refused = 0
        for byte in 0..<original.count {
            for bit in 0..<8 {
                var flipped = original
                flipped[byte] ^= UInt8(1 << bit)
                let result = try outcome(flipped)
                XCTAssertNotEqual(result, "WRONG", "bit \(bit) of byte \(byte)")
                if result == "refused" { refused += 1 }
            }
        }
        XCTAssertGreaterThan(refused, original.count * 8 * 9 / 10)
        let flipped = original.count - 3  // in the data
        var data = original
        data[flipped] ^= 1
        try data.write(to: damaged)
        XCTAssertThrowsError(try Safetensors.load(from: damaged)) {
            XCTAssertTrue("\($0)".contains("is damaged: its contents do not match the checksum written with it"), "\($0)")
        }
    }
}
