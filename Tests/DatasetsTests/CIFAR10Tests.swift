import XCTest
@testable import Datasets

final class CIFAR10Tests: XCTestCase {
    func testReadsTheBinFolder() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR10(in: folder, perBatch: 4)
        let data = try CIFAR10.load(from: folder.path, requireOfficialSize: false)
        XCTAssertEqual(data.train.count, 20)
        XCTAssertEqual(data.test.count, 4)
        XCTAssertEqual(data.train.shape, ImageShape(channels: 3, height: 32, width: 32))
        XCTAssertEqual(data.train.classNames, CIFAR10.classNames)
        XCTAssertEqual(data.train.images, Fixtures.pixels(images: 20, size: 3072))
        XCTAssertEqual(Array(data.train.labels[4..<8]), [2, 3, 4, 5], "data_batch_2 follows data_batch_1")
        XCTAssertEqual(data.train.mean.count, 3)
        XCTAssertEqual(data.test.statistics, data.train.statistics)
    }

    func testAcceptsTheParentOfTheUnpackedFolder() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR10(in: folder, subfolder: "cifar-10-batches-bin", perBatch: 2)
        XCTAssertEqual(try CIFAR10.load(from: folder.path, requireOfficialSize: false).train.count, 10)
        XCTAssertEqual(try CIFAR10.load(from: folder.file("cifar-10-batches-bin"), requireOfficialSize: false).train.count, 10)
    }

    func testMissingDataSaysWhereTheFilesGo() throws {
        assertDatasetError(try CIFAR10.load(from: "/nonexistent/cifar"),
                           contains: ["/nonexistent/cifar", "cifar-10-binary.tar.gz", "data_batch_1.bin"])
        let folder = try TemporaryFolder()
        assertDatasetError(try CIFAR10.load(from: folder.path, requireOfficialSize: false), contains: [folder.path, "no data_batch_1.bin", "cifar-10-batches-bin"])
        try Fixtures.writeCIFAR10(in: folder, perBatch: 2)
        try FileManager.default.removeItem(atPath: folder.file("data_batch_4.bin"))
        assertDatasetError(try CIFAR10.load(from: folder.path, requireOfficialSize: false), contains: [folder.file("data_batch_4.bin"), "cifar-10-binary.tar.gz"])
    }

    func testCorruptBatchNamesTheFile() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR10(in: folder, perBatch: 2)
        let path = try folder.write("test_batch.bin", Array(Fixtures.cifarRecords(labels: [[1], [2]]).dropLast()))
        assertDatasetError(try CIFAR10.load(from: folder.path, requireOfficialSize: false), contains: [path, "3073-byte records"])
    }

    func testOfficialSizeIsRequiredByDefault() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR10(in: folder, perBatch: 3)
        assertDatasetError(try CIFAR10.load(from: folder.path),
                           contains: [folder.file("data_batch_1.bin"), "holds 3 records, the official release has 10000"])
    }
}
