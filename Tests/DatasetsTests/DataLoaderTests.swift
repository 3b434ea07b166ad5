import XCTest
@testable import Datasets

final class DataLoaderTests: XCTestCase {
    let augmentation = Augmentation(cropPadding: 2, horizontalFlip: true, cutoutLength: 3)

    func loader(_ dataset: Dataset, seed: UInt64 = 0, batchSize: Int = 8, dropLast: Bool = false,
                shuffle: Bool = true, workers: Int = 1, indices: [Int]? = nil) throws -> DataLoader {
        try DataLoader(dataset: dataset, indices: indices, batchSize: batchSize, augmentation: augmentation,
                       shuffle: shuffle, dropLast: dropLast, seed: seed, workers: workers)
    }

    func batches(_ loader: DataLoader, epoch: Int, from start: Int = 0) throws -> [HostBatch] {
        Array(try loader.epoch(epoch, startingAtBatch: start).makeIterator())
    }

    func testBatchShapesLabelsAndCounts() throws {
        let dataset = try Fixtures.dataset(count: 30, channels: 3, side: 6)
        let loader = try loader(dataset)
        XCTAssertEqual(loader.batchCount, 4)
        let epoch = try batches(loader, epoch: 0)
        XCTAssertEqual(epoch.map(\.count), [8, 8, 8, 6])
        XCTAssertEqual(epoch[0].shape, [8, 3, 6, 6])
        XCTAssertEqual(epoch[3].shape, [6, 3, 6, 6])
        XCTAssertEqual(epoch.map(\.index), [0, 1, 2, 3])
        for host in epoch {
            XCTAssertEqual(host.images.count, host.count * 108)
            XCTAssertEqual(host.labels, host.indices.map { Int64(dataset.labels[$0]) })
        }
        XCTAssertEqual(epoch.flatMap(\.indices).sorted(), Array(0..<30), "each image once per epoch")
    }

    func testDropLast() throws {
        let loader = try loader(Fixtures.dataset(count: 30), dropLast: true)
        XCTAssertEqual(loader.batchCount, 3)
        XCTAssertEqual(loader.imagesPerEpoch, 24)
        XCTAssertEqual(try batches(loader, epoch: 2).map(\.count), [8, 8, 8])
        let tiny = try self.loader(Fixtures.dataset(count: 5), dropLast: true)
        XCTAssertEqual(try batches(tiny, epoch: 0).count, 0)
    }

    func testSameSeedSameBatchesOtherSeedOtherOrder() throws {
        let dataset = try Fixtures.dataset(count: 40)
        let first = try batches(loader(dataset, seed: 1), epoch: 0)
        XCTAssertEqual(first, try batches(loader(dataset, seed: 1), epoch: 0))
        let other = try batches(loader(dataset, seed: 2), epoch: 0)
        XCTAssertNotEqual(first.flatMap(\.indices), other.flatMap(\.indices))
    }

    func testReshufflesEveryEpochAndReplaysAnEpoch() throws {
        let loader = try loader(Fixtures.dataset(count: 40))
        let epoch0 = try batches(loader, epoch: 0)
        let epoch1 = try batches(loader, epoch: 1)
        XCTAssertNotEqual(epoch0.flatMap(\.indices), epoch1.flatMap(\.indices))
        XCTAssertEqual(epoch0, try batches(loader, epoch: 0), "iterating again gives the same epoch")
        let sequence = try loader.epoch(1)
        XCTAssertEqual(Array(sequence), Array(sequence))
    }

    func testStartingMidEpochGivesTheRemainingBatches() throws {
        let loader = try loader(Fixtures.dataset(count: 50))
        let whole = try batches(loader, epoch: 3)
        XCTAssertEqual(try batches(loader, epoch: 3, from: 4), Array(whole[4...]))
        XCTAssertEqual(try batches(loader, epoch: 3, from: loader.batchCount), [])
        assertDatasetError(try loader.epoch(0, startingAtBatch: 8), contains: ["start batch 8"])
        assertDatasetError(try loader.epoch(-1), contains: ["epoch must be 0 or more"])
    }

    func testSeveralWorkersGiveTheSameBatches() throws {
        let dataset = try Fixtures.dataset(count: 100)
        XCTAssertEqual(try batches(loader(dataset, workers: 3), epoch: 2), try batches(loader(dataset, workers: 1), epoch: 2))
    }

    func testBackgroundBatchesEqualDirectOnes() throws {
        let loader = try loader(Fixtures.dataset(count: 20))
        let order = loader.order(epoch: 5)
        let direct = (0..<loader.batchCount).map { loader.makeBatch(epoch: 5, index: $0, order: order) }
        XCTAssertEqual(try batches(loader, epoch: 5), direct)
    }

    func testStoppingEarlyReleasesTheWorkers() throws {
        let loader = try loader(Fixtures.dataset(count: 400), batchSize: 4)
        for _ in 0..<20 {
            let iterator = try loader.epoch(0).makeIterator()
            XCTAssertNotNil(iterator.next())
        }
        // The abandoned epochs must not block a new one.
        XCTAssertEqual(try batches(loader, epoch: 0).count, 100)
    }

    func testUnshuffledSubset() throws {
        let dataset = try Fixtures.dataset(count: 20)
        let loader = try loader(dataset, batchSize: 3, shuffle: false, indices: [9, 4, 7, 1])
        XCTAssertEqual(try batches(loader, epoch: 0).flatMap(\.indices), [9, 4, 7, 1])
        XCTAssertEqual(try batches(loader, epoch: 1).flatMap(\.indices), [9, 4, 7, 1])
    }

    func testBadSettings() throws {
        let dataset = try Fixtures.dataset(count: 10)
        assertDatasetError(try loader(dataset, batchSize: 0), contains: ["batch size"])
        assertDatasetError(try loader(dataset, indices: [3, 10]), contains: ["index 10", "10 images"])
        assertDatasetError(try loader(dataset, indices: []), contains: ["at least one image"])
        assertDatasetError(try loader(dataset, workers: 0), contains: ["workers"])
    }

    func testTheTwoLoadersOfASplitShuffleIndependently() throws {
        let dataset = try Fixtures.dataset(count: 200)
        let split = try SearchSplit(dataset: dataset, seed: 0)
        let weights = try loader(dataset, indices: split.weightIndices)
        let architecture = try loader(dataset, indices: split.architectureIndices)
        // Where each loader's epoch order puts the i-th image of its own index list.
        func pattern(_ loader: DataLoader) -> [Int] {
            let position = Dictionary(uniqueKeysWithValues: loader.order(epoch: 0).enumerated().map { ($1, $0) })
            return loader.indices.map { position[$0]! }
        }
        XCTAssertNotEqual(pattern(weights), pattern(architecture))
    }

    func testImageFolderBatchesHaveTheOutputShapeAndReplay() throws {
        let folder = try TemporaryFolder()
        try Fixtures.writeImageFolder(in: folder, subfolder: "train", classes: ["p", "q", "r"], perClass: 4)
        try Fixtures.writeImageFolder(in: folder, subfolder: "val", classes: ["p", "q", "r"], perClass: 2)
        let data = try ImageFolder.load(root: folder.path, outputSize: 16)
        let training = try DataLoader(dataset: data.train, batchSize: 5, augmentation: .imageNetTraining, seed: 3)
        let epoch = try batches(training, epoch: 0)
        XCTAssertEqual(epoch.map(\.shape), [[5, 3, 16, 16], [5, 3, 16, 16], [2, 3, 16, 16]])
        XCTAssertEqual(epoch.flatMap(\.indices).sorted(), Array(0..<12))
        for host in epoch {
            XCTAssertNil(host.failure)
            XCTAssertEqual(host.images.count, host.count * 768)
            XCTAssertTrue(host.images.allSatisfy(\.isFinite))
            XCTAssertEqual(host.labels, host.indices.map { Int64(data.train.labels[$0]) })
        }
        let parallel = try DataLoader(dataset: data.train, batchSize: 5, augmentation: .imageNetTraining, seed: 3, workers: 2)
        XCTAssertEqual(try batches(parallel, epoch: 0), epoch, "two workers build the same batches")
        XCTAssertEqual(try batches(training, epoch: 0, from: 1), Array(epoch[1...]), "a resumed epoch replays")
        XCTAssertNotEqual(try batches(training, epoch: 1).map(\.images), epoch.map(\.images))

        // Evaluation: Resize(19) + CenterCrop(16) of each decoded file, nothing random.
        let evaluation = try DataLoader(dataset: data.test, batchSize: 6, augmentation: Augmentation(normalize: false),
                                        shuffle: false, seed: 0)
        let batch = try XCTUnwrap(try batches(evaluation, epoch: 0).first)
        XCTAssertEqual(batch.labels, [0, 0, 1, 1, 2, 2])
        for row in 0..<6 {
            let decoded = try data.test.decodedImage(at: row)
            var expected = [UInt8](repeating: 0, count: 768)
            decoded.pixels.withUnsafeBufferPointer { source in
                expected.withUnsafeMutableBufferPointer { output in
                    ImageTransforms.resizeAndCenterCrop(source, shape: decoded.shape, resizeSide: 18, into: output,
                                                        shape: ImageShape(channels: 3, height: 16, width: 16))
                }
            }
            XCTAssertEqual(Array(batch.images[(row * 768)..<((row + 1) * 768)]), expected.map { Float($0) / 255 })
        }
    }
}
