import XCTest
@testable import Datasets

final class IDXTests: XCTestCase {
    func testPlainAndGzippedFilesReadTheSame() throws {
        let folder = try TemporaryFolder()
        let data = Fixtures.pixels(images: 5, size: 12)
        let bytes = Fixtures.idx(dimensions: [5, 3, 4], data: data)
        let plain = try folder.write("images-idx3-ubyte", bytes)
        let gzipped = try folder.write("images-idx3-ubyte.gz", Gzip.compress(bytes))
        for path in [plain, gzipped] {
            let array = try IDXArray(contentsOf: path, rank: 3)
            XCTAssertEqual(array.dimensions, [5, 3, 4])
            XCTAssertEqual(array.bytes, data)
        }
    }

    func testWrongMagicNumber() {
        var bytes = Fixtures.idx(dimensions: [2], data: [1, 2])
        bytes[0] = 0x1f
        assertDatasetError(try IDXArray(parsing: bytes, rank: 1, file: "labels"), contains: ["labels", "wrong magic number 1f 00 08 01"])
    }

    func testWrongElementTypeAndRank() {
        var bytes = Fixtures.idx(dimensions: [2], data: [1, 2])
        bytes[2] = 0x0d
        assertDatasetError(try IDXArray(parsing: bytes, rank: 1, file: "f"), contains: ["0x0d", "unsigned byte"])
        let images = Fixtures.idx(dimensions: [1, 1, 2], data: [1, 2])
        assertDatasetError(try IDXArray(parsing: images, rank: 1, file: "labels"), contains: ["labels", "rank 3, expected 1"])
    }

    func testWrongLengths() {
        let bytes = Fixtures.idx(dimensions: [4, 2, 2], data: [UInt8](repeating: 9, count: 16))
        assertDatasetError(try IDXArray(parsing: Array(bytes[..<20]), rank: 3, file: "f"), contains: ["f", "truncated", "need 16 data bytes, found 4"])
        assertDatasetError(try IDXArray(parsing: bytes + [0], rank: 3, file: "f"), contains: ["too long", "found 17"])
        assertDatasetError(try IDXArray(parsing: Array(bytes[..<9]), rank: 3, file: "f"), contains: ["truncated IDX header"])
        assertDatasetError(try IDXArray(parsing: [0, 0], rank: 3, file: "f"), contains: ["too short"])
    }

    func testGzippedButTruncatedFileNamesTheFile() throws {
        let folder = try TemporaryFolder()
        let compressed = Gzip.compress(Fixtures.idx(dimensions: [100], data: [UInt8](repeating: 1, count: 100)))
        let path = try folder.write("labels.gz", Array(compressed[..<(compressed.count - 10)]))
        assertDatasetError(try IDXArray(contentsOf: path, rank: 1), contains: [path, "truncated"])
    }

    /// A gzip bomb: a few kilobytes whose header announces 10 bytes but which inflate to 8 MB.
    /// Inflating stops at the first megabyte, past what the header announced, instead of
    /// holding the whole output; a header asking for more than 4 GiB stops it at once.
    func testGzippedFileInflatesNoFurtherThanItsHeaderAnnounces() throws {
        let folder = try TemporaryFolder()
        let bomb = Gzip.compress(Fixtures.idx(dimensions: [10], data: [UInt8](repeating: 0, count: 8 << 20)))
        XCTAssertLessThan(bomb.count, 20_000)
        let path = try folder.write("labels.gz", bomb)
        assertDatasetError(try IDXArray(contentsOf: path, rank: 1),
                           contains: [path, "inflates to more than 18 bytes (its IDX header announces 10 bytes of data)"])
        let huge = try folder.write("images.gz", Gzip.compress(Fixtures.idx(dimensions: [65535, 65535, 65535], data: [1, 2])))
        assertDatasetError(try IDXArray(contentsOf: huge, rank: 3),
                           contains: [huge, "IDX dimensions [65535, 65535, 65535] are too large"])
        XCTAssertThrowsError(try Gzip.decompress(Gzip.compress([UInt8](repeating: 7, count: 1000)), file: "f",
                                                 limit: { _ in (999, "a test's bound") })) {
            XCTAssertTrue("\($0)".contains("inflates to more than 999 bytes (a test's bound)"), "\($0)")
        }
    }

    func testMissingFile() {
        assertDatasetError(try IDXArray(contentsOf: "/nonexistent/x-idx1-ubyte", rank: 1), contains: ["/nonexistent/x-idx1-ubyte", "not found"])
    }
}
