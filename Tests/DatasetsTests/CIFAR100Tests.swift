import XCTest
@testable import Datasets

final class CIFAR100Tests: XCTestCase {
    func testClassNameLists() {
        XCTAssertEqual(CIFAR100.fineClassNames.count, 100)
        XCTAssertEqual(Set(CIFAR100.fineClassNames).count, 100)
        XCTAssertEqual(CIFAR100.fineClassNames, CIFAR100.fineClassNames.sorted(), "fine labels are alphabetical")
        XCTAssertEqual(CIFAR100.coarseClassNames.count, 20)
    }

    func testFineAndCoarseLabels() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR100(in: folder, subfolder: "cifar-100-binary", train: 120, test: 30)
        let fine = try CIFAR100.load(from: folder.path, requireOfficialSize: false)
        XCTAssertEqual(fine.train.count, 120)
        XCTAssertEqual(fine.test.count, 30)
        XCTAssertEqual(fine.train.classCount, 100)
        XCTAssertEqual(fine.train.labels[105], 5)
        let coarse = try CIFAR100.load(from: folder.file("cifar-100-binary"), coarseLabels: true, requireOfficialSize: false)
        XCTAssertEqual(coarse.train.classCount, 20)
        XCTAssertEqual(coarse.train.labels[105], 5)
        XCTAssertEqual(coarse.train.labels[39], 19)
        XCTAssertEqual(coarse.train.name, "cifar100-coarse")
    }

    func testMissingAndCorrupt() throws {
        assertDatasetError(try CIFAR100.load(from: "/nonexistent/c100"), contains: ["/nonexistent/c100", "cifar-100-binary.tar.gz"])
        let folder = try TemporaryFolder()
        try Fixtures.writeCIFAR100(in: folder, train: 3, test: 3)
        try FileManager.default.removeItem(atPath: folder.file("test.bin"))
        assertDatasetError(try CIFAR100.load(from: folder.path, requireOfficialSize: false), contains: [folder.file("test.bin"), "test.bin"])
        let path = try folder.write("test.bin", Fixtures.cifarRecords(labels: [[1, 100]]))
        assertDatasetError(try CIFAR100.load(from: folder.path, requireOfficialSize: false), contains: [path, "label 100 is outside 0..<100"])
        try Fixtures.writeCIFAR100(in: folder, train: 3, test: 3)
        assertDatasetError(try CIFAR100.load(from: folder.path), contains: [folder.file("train.bin"), "holds 3 records", "50000"])
    }
}
