import XCTest
@testable import Datasets

final class MNISTTests: XCTestCase {
    func testDigitsAreTheClassNames() {
        XCTAssertEqual(MNIST.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    }

    func testMissingFolderNamesTheFiles() {
        assertDatasetError(try MNIST.load(from: "/nonexistent/mnist"),
                           contains: ["/nonexistent/mnist", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
    }

    func testSyntheticMNISTIsNamedAndShaped() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 20, test: 10, side: 28, gzip: true)
        let data = try MNIST.load(from: folder.path)
        XCTAssertEqual(data.train.name, "mnist")
        XCTAssertEqual(data.train.part, "train")
        XCTAssertEqual(data.test.part, "test")
        XCTAssertEqual(data.train.shape, ImageShape(channels: 1, height: 28, width: 28))
    }
}
