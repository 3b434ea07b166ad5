import XCTest
@testable import Datasets

final class FashionMNISTTests: XCTestCase {
    func testMissingFolderSaysHowToInstall() {
        assertDatasetError(try FashionMNIST.load(from: "/nonexistent/fashion"),
                           contains: ["/nonexistent/fashion", "apt-get install dataset-fashion-mnist"])
    }

    /// The real data from Debian's `dataset-fashion-mnist`, where it is installed.
    func testDebianFashionMNIST() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: FashionMNIST.debianPath),
                          "dataset-fashion-mnist is not installed")
        let data = try FashionMNIST.load()
        XCTAssertEqual(data.train.count, 60_000)
        XCTAssertEqual(data.test.count, 10_000)
        XCTAssertEqual(data.train.shape, ImageShape(channels: 1, height: 28, width: 28))
        XCTAssertEqual(data.train.classCount, 10)
        XCTAssertEqual(data.train.classCounts(), [Int](repeating: 6_000, count: 10))
        XCTAssertEqual(data.test.classCounts(), [Int](repeating: 1_000, count: 10))
        XCTAssertEqual(data.train.images.count, 60_000 * 784)
        // Pixels span the whole 8-bit range: black background, white highlights.
        var seen = [Bool](repeating: false, count: 256)
        data.train.images.withUnsafeBufferPointer { pixels in
            for pixel in pixels { seen[Int(pixel)] = true }
        }
        XCTAssertTrue(seen[0] && seen[255])

        // And the first search batch comes out normalised and NCHW.
        let spec = try DatasetSpec()
        let split = try SearchSplit(dataset: data.train, seed: 0)
        XCTAssertEqual(split.weightIndices.count, 30_000)
        let loader = try DataLoader(dataset: data.train, indices: split.weightIndices, batchSize: 64,
                                    augmentation: spec.trainingAugmentation, seed: 0)
        let batch = try XCTUnwrap(try loader.epoch(0).makeIterator().next())
        XCTAssertEqual(batch.shape, [64, 1, 28, 28])
        let black = -data.train.mean[0] / data.train.std[0]
        let white = (1 - data.train.mean[0]) / data.train.std[0]
        XCTAssertTrue(batch.images.allSatisfy { $0 >= black - 1e-5 && $0 <= white + 1e-5 })
        // The published statistics of the training set.
        XCTAssertEqual(data.train.mean[0], 0.2860, accuracy: 0.0005)
        XCTAssertEqual(data.train.std[0], 0.3530, accuracy: 0.0005)
    }
}
