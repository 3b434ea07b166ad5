import XCTest
@testable import Datasets

final class ImageFilesTests: XCTestCase {
    /// Two classes of four images each; image `bad` (in folder order) replaced by junk bytes.
    func folderWithBadFile(_ folder: TemporaryFolder, bad: Int = 5) throws -> (root: String, badPath: String) {
        let paths = try Fixtures.writeImageFolder(in: folder, subfolder: "all", classes: ["x", "y"], perClass: 4)
        try Data("truncated download".utf8).write(to: URL(fileURLWithPath: paths[bad]))
        return (folder.file("all"), paths[bad])
    }

    func testStopPolicyFailsTheBatchWithTheFilesPath() throws {
        let folder = try TemporaryFolder()
        let (root, badPath) = try folderWithBadFile(folder)
        let dataset = try ImageFolder(root: root).dataset(part: "train", outputSize: 8)
        let loader = try DataLoader(dataset: dataset, batchSize: 3, shuffle: false, seed: 0)
        let batches = Array(try loader.epoch(0))
        XCTAssertEqual(batches.map { $0.failure == nil }, [true, false, true], "image 5 is in the second batch")
        assertDatasetError(try batches[1].checked(), contains: [badPath, "neither a JPEG nor a PNG", "--unreadable skip"])
        XCTAssertEqual(dataset.files?.unreadableCount, 0, "stop records nothing")
        assertDatasetError(try dataset.decodedImage(at: 5), contains: [badPath])
    }

    func testSkipPolicySubstitutesTheNextReadableImageAndCountsTheFile() throws {
        let folder = try TemporaryFolder()
        let (root, badPath) = try folderWithBadFile(folder)
        let dataset = try ImageFolder(root: root).dataset(part: "train", outputSize: 8, unreadable: .skip)
        let loader = try DataLoader(dataset: dataset, batchSize: 3, augmentation: .imageNetTraining, seed: 2)
        for epoch in 0..<2 {
            let batches = Array(try loader.epoch(epoch))
            XCTAssertTrue(batches.allSatisfy { $0.failure == nil })
            XCTAssertEqual(batches.map(\.count), [3, 3, 2], "every batch keeps its size")
            let order = loader.order(epoch: epoch)
            let used = batches.flatMap(\.indices)
            let position = order.firstIndex(of: 5)!
            XCTAssertEqual(used[position], order[(position + 1) % 8], "the next image of the order stands in")
            XCTAssertFalse(used.contains(5))
            for batch in batches { XCTAssertEqual(batch.labels, batch.indices.map { Int64(dataset.labels[$0]) }) }
            XCTAssertEqual(batches, Array(try loader.epoch(epoch)), "substitution replays")
        }
        XCTAssertEqual(dataset.files?.unreadableCount, 1)
        XCTAssertEqual(dataset.files?.unreadablePaths, [badPath])
    }

    func testSkipPolicyFailsWhenNothingIsReadable() throws {
        let folder = try TemporaryFolder()
        try folder.write("only/a/1.jpg", [0xff, 0xd8, 0xff, 0])
        try folder.write("only/a/2.png", [0x89, 0x50, 0x4e, 0x47])
        let dataset = try ImageFolder(root: folder.file("only")).dataset(part: "train", outputSize: 4, unreadable: .skip)
        let batch = try DataLoader(dataset: dataset, batchSize: 2, seed: 0).makeBatch(epoch: 0, index: 0, order: [0, 1])
        assertDatasetError(try batch.checked(), contains: ["1.jpg", "every one of the 2 images"])
        XCTAssertEqual(dataset.files?.unreadableCount, 2)
    }
}
