import XCTest
@testable import Datasets

final class DatasetTests: XCTestCase {
    func testDescribesItself() throws {
        let dataset = try Fixtures.dataset(count: 20, channels: 3, side: 4, classes: 5)
        XCTAssertEqual(dataset.count, 20)
        XCTAssertEqual(dataset.classCount, 5)
        XCTAssertEqual(dataset.imageSize, 48)
        XCTAssertEqual(dataset.shape.description, "3x4x4")
        XCTAssertEqual(dataset.mean.count, 3)
        XCTAssertEqual(dataset.std.count, 3)
        XCTAssertEqual(Array(dataset.image(at: 2)), Array(Fixtures.pixels(images: 3, size: 48)[96...]))
        XCTAssertEqual(dataset.classCounts(), [4, 4, 4, 4, 4])
    }

    func testRejectsInconsistentParts() {
        assertDatasetError(
            try Dataset(name: "d", part: "train", channels: 1, height: 2, width: 2, classNames: ["a", "b"],
                        images: [UInt8](repeating: 0, count: 7), labels: [0, 1]),
            contains: ["7 pixel bytes", "2 images of 1x2x2"])
        assertDatasetError(
            try Dataset(name: "d", part: "train", channels: 1, height: 1, width: 1, classNames: ["a", "b"],
                        images: [0, 0], labels: [0, 2]),
            contains: ["image 1 has label 2"])
        assertDatasetError(
            try Dataset(name: "d", part: "train", channels: 2, height: 1, width: 1, classNames: ["a"], images: [0, 0],
                        labels: [0], statistics: ChannelStatistics(mean: [0], std: [1])),
            contains: ["statistics for 1 channels"])
    }
}
