import XCTest
@testable import Datasets

final class DatasetSpecTests: XCTestCase {
    func testNamesAndDefaults() throws {
        let standard = try DatasetSpec()
        XCTAssertEqual(standard.name, .fashionMNIST)
        XCTAssertEqual(try standard.resolvedPath(), "/usr/share/datasets/fashion-mnist")
        XCTAssertEqual(try DatasetSpec(name: "CIFAR-10", path: "/d").name, .cifar10)
        XCTAssertEqual(try DatasetSpec(name: "fashion_mnist").name, .fashionMNIST)
        XCTAssertEqual(try DatasetSpec(name: "cifar100", path: "/d").name, .cifar100)
        XCTAssertEqual(try DatasetSpec(name: "mnist", path: "/x").resolvedPath(), "/x")
        XCTAssertEqual(try DatasetSpec(name: "cifar100", path: "/d", coarseLabels: true).description, "cifar100 (coarse labels) from /d")
    }

    func testBadSpecs() {
        assertDatasetError(try DatasetSpec(name: "imagenet"), contains: ["unknown dataset 'imagenet'", "fashion-mnist, mnist, cifar10, cifar100"])
        assertDatasetError(try DatasetSpec(name: "cifar10").resolvedPath(), contains: ["cifar10 has no default location", "--data"])
        assertDatasetError(try DatasetSpec(name: "mnist").load(), contains: ["mnist has no default location"])
        assertDatasetError(try DatasetSpec(name: "mnist", coarseLabels: true), contains: ["only for cifar100"])
        assertDatasetError(try DatasetSpec(name: "mnist", path: ""), contains: ["empty path"])
    }

    func testLoadsThroughThePathOverride() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeIDXFolder(in: folder, train: 20, test: 10, gzip: true)
        let data = try DatasetSpec(name: "fashion-mnist", path: folder.path).load()
        XCTAssertEqual(data.train.name, "fashion-mnist")
        XCTAssertEqual(data.train.classNames, FashionMNIST.classNames)
        XCTAssertEqual(data.train.count, 20)

        let cifar = try TemporaryFolder()
        try Fixtures.writeCIFAR10(in: cifar, subfolder: "cifar-10-batches-bin", perBatch: 2)
        // The spec reads CIFAR as released: 10,000 images per file, so these few are refused.
        assertDatasetError(try DatasetSpec(name: .cifar10, path: cifar.path).load(),
                           contains: ["data_batch_1.bin", "holds 2 records"])
        assertDatasetError(try DatasetSpec(name: .fashionMNIST, path: "/nonexistent/f").load(),
                           contains: ["/nonexistent/f", "apt-get install dataset-fashion-mnist"])
    }

    /// The share `load()` holds out is the folder's only where it cuts one folder of classes;
    /// a dataset in two parts has none to store.
    func testHeldOutPortionIsTheCutsOnly() throws {
        let flat = try TemporaryFolder()
        try Fixtures.writeImageFolder(in: flat, subfolder: "ant", classes: ["x"], perClass: 1)
        var settings = DatasetSpec.FolderSettings()
        settings.validationPortion = 0.25
        XCTAssertEqual(try DatasetSpec(name: .folder, path: flat.path, folder: settings).heldOutPortion(), 0.25)
        let parts = try TemporaryFolder()
        try Fixtures.writeImageFolder(in: parts, subfolder: "train", classes: ["ant"], perClass: 1)
        try Fixtures.writeImageFolder(in: parts, subfolder: "val", classes: ["ant"], perClass: 1)
        XCTAssertNil(try DatasetSpec(name: .folder, path: parts.path, folder: settings).heldOutPortion())
        XCTAssertNil(try DatasetSpec(name: .fashionMNIST, path: flat.path, folder: settings).heldOutPortion())
        assertDatasetError(try DatasetSpec(name: .folder, folder: settings).heldOutPortion(), contains: ["--dataset folder needs --data DIR"])
    }

    func testTrainingAugmentation() throws {
        XCTAssertTrue(try DatasetSpec(name: .cifar10, path: "/d").trainingAugmentation.horizontalFlip)
        XCTAssertEqual(try DatasetSpec(name: .cifar100, path: "/d").trainingAugmentation.cropPadding, 4)
        XCTAssertFalse(try DatasetSpec().trainingAugmentation.horizontalFlip)
    }
}
