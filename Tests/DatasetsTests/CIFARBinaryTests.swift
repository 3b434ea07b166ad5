import XCTest
@testable import Datasets

final class CIFARBinaryTests: XCTestCase {
    func testReadsRecordsInOrderAcrossFiles() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("a.bin", Fixtures.cifarRecords(labels: [[1], [2]]))
        let second = try folder.write("b.bin", Fixtures.cifarRecords(labels: [[3]], firstImage: 2))
        let records = try CIFARBinary(labelRanges: [10], labelIndex: 0).read(files: [first, second])
        XCTAssertEqual(records.labels, [1, 2, 3])
        XCTAssertEqual(records.images, Fixtures.pixels(images: 3, size: 3072))
    }

    func testTruncatedFile() throws {
        let folder = try TemporaryFolder()
        let bytes = Fixtures.cifarRecords(labels: [[1], [2]])
        let path = try folder.write("cut.bin", Array(bytes[..<(bytes.count - 100)]))
        assertDatasetError(try CIFARBinary(labelRanges: [10], labelIndex: 0).read(files: [path]),
                           contains: [path, "not a whole number of 3073-byte records", "1 records and 2973 bytes over"])
        let empty = try folder.write("empty.bin", [])
        assertDatasetError(try CIFARBinary(labelRanges: [10], labelIndex: 0).read(files: [empty]), contains: [empty, "0 records"])
    }

    func testLabelOutOfRange() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("bad.bin", Fixtures.cifarRecords(labels: [[1], [12]]))
        assertDatasetError(try CIFARBinary(labelRanges: [10], labelIndex: 0).read(files: [path]),
                           contains: [path, "record 1: label 12 is outside 0..<10"])
        // CIFAR-100 checks both label bytes even when only the fine one is used.
        let hundred = try folder.write("bad100.bin", Fixtures.cifarRecords(labels: [[3, 50], [25, 60]]))
        assertDatasetError(try CIFARBinary(labelRanges: [20, 100], labelIndex: 1).read(files: [hundred]),
                           contains: [hundred, "record 1: label 25 is outside 0..<20"])
    }
}
