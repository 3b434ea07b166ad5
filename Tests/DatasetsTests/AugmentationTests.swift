import XCTest
@testable import Datasets

final class AugmentationTests: XCTestCase {
    func augmenter(_ augmentation: Augmentation, dataset: Dataset) throws -> Augmenter {
        try Augmenter(augmentation, shape: dataset.shape, statistics: dataset.statistics)
    }

    func testNormalisedDataHasZeroMeanAndUnitStd() throws {
        let dataset = try Fixtures.dataset(count: 64, channels: 3, side: 8)
        let plain = try augmenter(.plain, dataset: dataset)
        var random = Xoshiro256(seed: 1)
        var sums = [Double](repeating: 0, count: 3), squares = [Double](repeating: 0, count: 3)
        for index in 0..<dataset.count {
            let values = plain.augment(dataset.image(at: index), random: &random)
            for (offset, value) in values.enumerated() {
                sums[offset / 64] += Double(value)
                squares[offset / 64] += Double(value * value)
            }
        }
        let n = Double(dataset.count * 64)
        for channel in 0..<3 {
            XCTAssertEqual(sums[channel] / n, 0, accuracy: 1e-4)
            XCTAssertEqual((squares[channel] / n).squareRoot(), 1, accuracy: 1e-4)
        }
    }

    func testPlainIsDeterministicAndUnnormalisedStaysInUnitRange() throws {
        let dataset = try Fixtures.dataset(count: 4, channels: 1, side: 6)
        var first = Xoshiro256(seed: 1), second = Xoshiro256(seed: 99)
        let plain = try augmenter(.plain, dataset: dataset)
        XCTAssertEqual(plain.augment(dataset.image(at: 3), random: &first), plain.augment(dataset.image(at: 3), random: &second))
        let raw = try augmenter(Augmentation(normalize: false), dataset: dataset)
        let values = raw.augment(dataset.image(at: 1), random: &first)
        XCTAssertEqual(values, dataset.image(at: 1).map { Float($0) / 255 })
    }

    func testEveryAugmentationKeepsTheShapeForAnyChannelCount() throws {
        for (channels, side) in [(1, 28), (3, 32), (5, 9)] {
            let dataset = try Fixtures.dataset(count: 8, channels: channels, side: side)
            let full = try augmenter(Augmentation(cropPadding: 4, horizontalFlip: true, cutoutLength: 5), dataset: dataset)
            var random = Xoshiro256(seed: 5)
            for index in 0..<dataset.count {
                let values = full.augment(dataset.image(at: index), random: &random)
                XCTAssertEqual(values.count, channels * side * side)
                XCTAssertTrue(values.allSatisfy(\.isFinite))
            }
        }
    }

    func testFlipAloneMirrorsAboutHalfTheImages() throws {
        let dataset = try Fixtures.dataset(count: 1, channels: 1, side: 4)
        let plain = try augmenter(.plain, dataset: dataset)
        let flip = try augmenter(Augmentation(horizontalFlip: true), dataset: dataset)
        var random = Xoshiro256(seed: 11)
        let original = plain.augment(dataset.image(at: 0), random: &random)
        var mirrored = original
        mirrored.withUnsafeMutableBufferPointer { ImageTransforms.flipHorizontally($0, shape: dataset.shape) }
        var flips = 0
        for _ in 0..<1000 {
            let values = flip.augment(dataset.image(at: 0), random: &random)
            XCTAssertTrue(values == original || values == mirrored)
            if values == mirrored { flips += 1 }
        }
        XCTAssertEqual(Double(flips), 500, accuracy: 60)
    }

    func testCutoutZeroesAtMostLengthSquaredPixels() throws {
        // Images with no zero after normalisation, so every zero is cutout's.
        let dataset = try Dataset(
            name: "d", part: "train", channels: 2, height: 10, width: 10, classNames: ["a"],
            images: [UInt8](repeating: 200, count: 200), labels: [0],
            statistics: ChannelStatistics(mean: [0.1, 0.2], std: [0.3, 0.3]))
        let cutout = try augmenter(Augmentation(cutoutLength: 4), dataset: dataset)
        var random = Xoshiro256(seed: 2)
        var sawFullSquare = false
        for _ in 0..<200 {
            let values = cutout.augment(dataset.image(at: 0), random: &random)
            let zeros = values.filter { $0 == 0 }.count
            XCTAssertLessThanOrEqual(zeros, 2 * 16)
            XCTAssertEqual(zeros % 2, 0)
            if zeros == 32 { sawFullSquare = true }
        }
        XCTAssertTrue(sawFullSquare)
    }

    func testCropPadsWithBlackBeforeNormalising() throws {
        let dataset = try Dataset(
            name: "d", part: "train", channels: 1, height: 4, width: 4, classNames: ["a"],
            images: [UInt8](repeating: 255, count: 16), labels: [0],
            statistics: ChannelStatistics(mean: [0.5], std: [0.5]))
        let crop = try augmenter(Augmentation(cropPadding: 2), dataset: dataset)
        var random = Xoshiro256(seed: 3)
        var sawPadding = false
        for _ in 0..<50 {
            let values = crop.augment(dataset.image(at: 0), random: &random)
            XCTAssertTrue(values.allSatisfy { abs($0 - 1) < 1e-6 || abs($0 + 1) < 1e-6 }, "only image (1) or padding (-1)")
            if values.contains(where: { $0 < 0 }) { sawPadding = true }
        }
        XCTAssertTrue(sawPadding)
    }

    func testRejectsNegativeSettings() throws {
        let dataset = try Fixtures.dataset(count: 1)
        assertDatasetError(try augmenter(Augmentation(cropPadding: -1), dataset: dataset), contains: ["crop padding"])
        assertDatasetError(try augmenter(Augmentation(cutoutLength: -3), dataset: dataset), contains: ["cutout length"])
        XCTAssertEqual(Augmentation(cropPadding: 4, horizontalFlip: true, cutoutLength: 16).description,
                       "crop(pad 4) + flip + normalize + cutout(16)")
    }

    func testImageNetTrainingMakesTheOutputSizeFromAnySizeDeterministically() throws {
        let shape = ImageShape(channels: 3, height: 16, width: 16)
        let training = try Augmenter(.imageNetTraining, shape: shape, statistics: .imageNet, resizeSide: 18)
        let evaluation = try Augmenter(.plain, shape: shape, statistics: .imageNet, resizeSide: 18)
        for (height, width) in [(30, 40), (16, 16), (9, 50)] {
            let image = Fixtures.gradient(channels: 3, height: height, width: width, shift: 20)
            var first = Xoshiro256(seed: 8), second = Xoshiro256(seed: 8), third = Xoshiro256(seed: 9)
            let values = training.augment(image, random: &first)
            XCTAssertEqual(values.count, shape.count)
            XCTAssertTrue(values.allSatisfy(\.isFinite))
            XCTAssertEqual(values, training.augment(image, random: &second), "same draws, same image")
            XCTAssertNotEqual(values, training.augment(image, random: &third))
            XCTAssertEqual(evaluation.augment(image, random: &first), evaluation.augment(image, random: &third),
                           "evaluation sizing draws nothing")
        }
        XCTAssertFalse(Augmentation.imageNetTraining.isDeterministic)
        XCTAssertEqual(Augmentation.imageNetTraining.description,
                       "random-resized-crop(scale 0.08-1.0) + flip + color-jitter(0.4, 0.4, 0.4, 0.2) + lighting(0.1) + normalize")
    }

    func testLightingShiftsNormalisedValuesByOffsetOverStd() throws {
        let shape = ImageShape(channels: 3, height: 4, width: 4)
        let image = Fixtures.gradient(channels: 3, height: 4, width: 4)
        let plain = try Augmenter(.plain, shape: shape, statistics: .imageNet)
        let lit = try Augmenter(Augmentation(lighting: 0.1), shape: shape, statistics: .imageNet)
        var random = Xoshiro256(seed: 1), draws = Xoshiro256(seed: 1)
        let difference = zip(lit.augment(image, random: &random), plain.augment(image, random: &random)).map { $0 - $1 }
        let offsets = Lighting.offsets(std: 0.1, random: &draws)
        for channel in 0..<3 {
            for value in difference[(channel * 16)..<((channel + 1) * 16)] {
                XCTAssertEqual(value, offsets[channel] / ChannelStatistics.imageNet.std[channel], accuracy: 1e-5)
            }
        }
    }
}
