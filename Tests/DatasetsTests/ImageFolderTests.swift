import XCTest
@testable import Datasets

final class ImageFolderTests: XCTestCase {
    func testClassesAreSortedFolderNamesAndOnlyImagesCount() throws {
        let folder = try TemporaryFolder()
        let image = try PNG.encode(Fixtures.solid([1, 2, 3], height: 4, width: 4))
        for path in ["b_cat/2.png", "b_cat/1.PNG", "b_cat/sub/0.png", "b_cat/a.Jpeg", "a_dog/x.jpg", "Zebra/z.png",
                     "b_cat/notes.txt", "b_cat/._1.png", ".ipynb_checkpoints/c.png", "a_dog/.hidden/h.png"] {
            try folder.write(path, image)
        }
        try folder.write("README.txt", Array("not a class".utf8))
        let listing = try ImageFolder(root: folder.path)
        XCTAssertEqual(listing.classNames, ["Zebra", "a_dog", "b_cat"], "byte order: upper case first; hidden skipped")
        XCTAssertEqual(listing.paths.map { String($0.dropFirst(folder.path.count + 1)) },
                       ["Zebra/z.png", "a_dog/x.jpg", "b_cat/1.PNG", "b_cat/2.png", "b_cat/a.Jpeg", "b_cat/sub/0.png"])
        XCTAssertEqual(listing.labels, [0, 1, 2, 2, 2, 2])
        XCTAssertEqual(listing.classCounts(), [1, 1, 4])
    }

    func testLayoutErrorsNameThePathAndTheFix() throws {
        let folder = try TemporaryFolder()
        assertDatasetError(try ImageFolder(root: folder.file("absent")), contains: ["absent", "one subfolder per class"])
        assertDatasetError(try ImageFolder(root: folder.path), contains: [folder.path, "no class folders"])
        try folder.write("cats/1.png", PNG.encode(Fixtures.solid([9], height: 2, width: 2)))
        try folder.write("dogs/notes.txt", [1])
        assertDatasetError(try ImageFolder(root: folder.path), contains: ["dogs", "holds no .jpg, .jpeg or .png images"])
        assertDatasetError(try ImageFolder.load(root: folder.path, outputSize: 8),
                           contains: ["train", "load(root:trainPortion:seed:"])
    }

    func testValidationFolderUsesTheTrainingClasses() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeImageFolder(in: folder, subfolder: "train", classes: ["ant", "bee", "cow"], perClass: 2)
        try Fixtures.writeImageFolder(in: folder, subfolder: "val", classes: ["bee", "cow"], perClass: 1)
        let data = try ImageFolder.load(root: folder.path, outputSize: 8)
        XCTAssertEqual(data.test.classNames, ["ant", "bee", "cow"])
        XCTAssertEqual(data.test.labels, [1, 2], "bee is still class 1 though val has no ant")
        XCTAssertEqual(data.train.labels, [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(data.train.part, "train")
        XCTAssertEqual(data.test.part, "val")
        XCTAssertEqual(data.train.name, URL(fileURLWithPath: folder.path).lastPathComponent)
        try Fixtures.writeImageFolder(in: folder, subfolder: "val", classes: ["dog"], perClass: 1)
        assertDatasetError(try ImageFolder.load(root: folder.path, outputSize: 8),
                           contains: ["val/dog", "class 'dog' is not among the 3 training classes"])
    }

    func testDatasetShapeAndStatistics() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeImageFolder(in: folder, subfolder: "train", classes: ["a", "b"], perClass: 3)
        try Fixtures.writeImageFolder(in: folder, subfolder: "test", classes: ["a", "b"], perClass: 1)
        let colour = try ImageFolder.load(root: folder.path, outputSize: 32)
        XCTAssertEqual(colour.train.shape, ImageShape(channels: 3, height: 32, width: 32))
        XCTAssertEqual(colour.train.statistics, .imageNet)
        XCTAssertEqual(colour.test.statistics, .imageNet)
        XCTAssertEqual(colour.train.files?.resizeSide, 37, "32 * 256 / 224, rounded")
        XCTAssertTrue(colour.train.images.isEmpty, "nothing decoded at load time")
        XCTAssertEqual(try colour.train.decodedImage(at: 2).shape, ImageShape(channels: 3, height: 16, width: 16),
                       "a grey file decoded as RGB at its own size")
        let grey = try ImageFolder.load(root: folder.path, outputSize: 24, channels: 1)
        XCTAssertEqual(grey.train.shape, ImageShape(channels: 1, height: 24, width: 24))
        XCTAssertEqual(grey.train.statistics, ChannelStatistics(mean: [0.5], std: [0.5]))
        XCTAssertEqual(ImageFiles.defaultResizeSide(outputSize: 224), 256)
        assertDatasetError(try ImageFolder.load(root: folder.path, outputSize: 8, channels: 2), contains: ["not 2"])
        assertDatasetError(try ImageFolder.load(root: folder.path, outputSize: 32, resizeSide: 30), contains: ["resize side 30"])
    }

    func testSplitIsClassBalancedDisjointAndSeeded() throws {
        let folder = try TemporaryFolder()
        let image = try PNG.encode(Fixtures.solid([5], height: 2, width: 2))
        for (name, count) in [("a", 10), ("b", 6), ("c", 5)] {
            for index in 0..<count { try folder.write("\(name)/\(index).png", image) }
        }
        let listing = try ImageFolder(root: folder.path)
        let parts = try listing.split(trainPortion: 0.8, seed: 4)
        for (label, count) in [10, 6, 5].enumerated() {
            let train = parts.train.labels.filter { $0 == label }.count
            XCTAssertLessThanOrEqual(abs(Double(train) - 0.8 * Double(count)), 1, "class \(label)")
            XCTAssertEqual(train + parts.validation.labels.filter { $0 == label }.count, count)
        }
        XCTAssertEqual(parts.train.count, 17, "round(0.8 x 21)")
        XCTAssertEqual(Set(parts.train.paths + parts.validation.paths), Set(listing.paths))
        XCTAssertTrue(Set(parts.train.paths).isDisjoint(with: parts.validation.paths))
        XCTAssertEqual(parts.train.paths, parts.train.paths.sorted { listing.paths.firstIndex(of: $0)! < listing.paths.firstIndex(of: $1)! },
                       "each part keeps the folder's order")
        XCTAssertEqual(try listing.split(trainPortion: 0.8, seed: 4).train.paths, parts.train.paths)
        XCTAssertNotEqual(try listing.split(trainPortion: 0.8, seed: 5).train.paths, parts.train.paths)
        let data = try ImageFolder.load(root: folder.path, trainPortion: 0.8, seed: 4, outputSize: 8)
        XCTAssertEqual(data.train.files?.paths, parts.train.paths)
        XCTAssertEqual(data.test.files?.paths, parts.validation.paths)
        assertDatasetError(try listing.split(trainPortion: 1.5, seed: 0), contains: ["strictly between 0 and 1"])
    }
}
