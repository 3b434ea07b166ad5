import XCTest
@testable import Datasets

final class IDXImageFolderTests: XCTestCase {
    func load(_ folder: TemporaryFolder) throws -> DatasetPair {
        try MNIST.load(from: folder.path)
    }

    func testReadsGzippedAndPlainFolders() throws {
        for gzip in [true, false] {
            let folder = try TemporaryFolder()
            try Fixtures.writeIDXFolder(in: folder, train: 30, test: 12, side: 6, gzip: gzip)
            let data = try load(folder)
            XCTAssertEqual(data.train.count, 30)
            XCTAssertEqual(data.test.count, 12)
            XCTAssertEqual(data.train.shape, ImageShape(channels: 1, height: 6, width: 6))
            XCTAssertEqual(data.train.images, Fixtures.pixels(images: 30, size: 36))
            XCTAssertEqual(data.train.labels, Fixtures.labels(images: 30, classes: 10).map(Int32.init))
            XCTAssertEqual(data.train.classCounts(), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
            XCTAssertEqual(data.test.statistics, data.train.statistics, "the test part normalises with training statistics")
        }
    }

    func testMissingFolderAndFiles() throws {
        assertDatasetError(try MNIST.load(from: "/nonexistent/mnist"), contains: ["/nonexistent/mnist", "--data"])
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 10, test: 10, gzip: true)
        try FileManager.default.removeItem(atPath: folder.file("t10k-labels-idx1-ubyte.gz"))
        assertDatasetError(try load(folder), contains: [folder.file("t10k-labels-idx1-ubyte.gz"), "not found"])
    }

    func testLabelOutOfRange() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 10, test: 10, gzip: false)
        var labels = Fixtures.labels(images: 10, classes: 10)
        labels[7] = 10
        let path = try folder.write("train-labels-idx1-ubyte", Fixtures.idx(dimensions: [10], data: labels))
        assertDatasetError(try load(folder), contains: [path, "label 10 of image 7 is outside 0..<10"])
    }

    func testImageAndLabelCountsMustAgree() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 10, test: 10, gzip: false)
        let path = try folder.write("train-labels-idx1-ubyte", Fixtures.idx(dimensions: [9], data: Fixtures.labels(images: 9, classes: 10)))
        assertDatasetError(try load(folder), contains: [path, "holds 9 labels", "10 images"])
    }

    func testCorruptGzipNamesTheFile() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 10, test: 10, gzip: true)
        let path = folder.file("train-images-idx3-ubyte.gz")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try folder.write("train-images-idx3-ubyte.gz", Array(bytes[..<(bytes.count - 20)]))
        assertDatasetError(try load(folder), contains: [path, "truncated"])
    }

    func testEmptyAndMismatchedImages() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 10, test: 10, side: 8, gzip: false)
        let test = try folder.write("t10k-images-idx3-ubyte", Fixtures.idx(dimensions: [10, 7, 7], data: Fixtures.pixels(images: 10, size: 49)))
        assertDatasetError(try load(folder), contains: [test, "7x7", "8x8"])
        let train = try folder.write("train-images-idx3-ubyte", Fixtures.idx(dimensions: [0, 8, 8], data: []))
        try folder.write("train-labels-idx1-ubyte", Fixtures.idx(dimensions: [0], data: []))
        assertDatasetError(try load(folder), contains: [train, "holds no images"])
    }
}
