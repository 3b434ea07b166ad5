import XCTest
@testable import Datasets

final class GzipTests: XCTestCase {
    let payload: [UInt8] = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }

    func testRoundTrip() throws {
        let compressed = Gzip.compress(payload)
        XCTAssertTrue(Gzip.isGzip(compressed))
        XCTAssertLessThan(compressed.count, payload.count)
        XCTAssertEqual(try Gzip.decompress(compressed, file: "x.gz"), payload)
    }

    func testEmptyPayload() throws {
        XCTAssertEqual(try Gzip.decompress(Gzip.compress([]), file: "empty.gz"), [])
    }

    func testConcatenatedMembersAreOneStream() throws {
        let joined = Gzip.compress(Array(payload[..<500])) + Gzip.compress(Array(payload[500...]))
        XCTAssertEqual(try Gzip.decompress(joined, file: "two.gz"), payload)
    }

    func testTruncatedStreamIsReported() {
        let compressed = Gzip.compress(payload)
        assertDatasetError(try Gzip.decompress(Array(compressed[..<(compressed.count / 2)]), file: "cut.gz"),
                           contains: ["cut.gz", "truncated gzip"])
        // Missing only the 8-byte trailer (CRC and size) is truncation too.
        assertDatasetError(try Gzip.decompress(Array(compressed[..<(compressed.count - 8)]), file: "cut.gz"),
                           contains: ["cut.gz", "truncated"])
    }

    func testDamagedDataIsReported() {
        var compressed = Gzip.compress(payload)
        compressed[compressed.count - 6] ^= 0xff  // inside the CRC
        assertDatasetError(try Gzip.decompress(compressed, file: "crc.gz"), contains: ["crc.gz", "bad gzip data"])

        var scrambled = Gzip.compress(payload)
        for index in 20..<60 { scrambled[index] = 0xff }
        assertDatasetError(try Gzip.decompress(scrambled, file: "mangled.gz"), contains: ["mangled.gz", "bad gzip"])
    }

    func testNotGzipAndTrailingGarbage() {
        assertDatasetError(try Gzip.decompress([1, 2, 3], file: "plain"), contains: ["plain", "not a gzip file"])
        let garbage = Gzip.compress(payload) + [7, 7, 7]
        assertDatasetError(try Gzip.decompress(garbage, file: "tail.gz"), contains: ["tail.gz", "garbage after"])
    }
}
