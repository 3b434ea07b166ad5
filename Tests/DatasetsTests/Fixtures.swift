import Foundation
import XCTest
@testable import Datasets

/// Small synthetic datasets written to a fresh temporary folder, removed after each test.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "entrannas-datasets-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }
}

enum Fixtures {
    /// An IDX file: magic 00 00 08 rank, big-endian dimensions, then the data.
    static func idx(dimensions: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [UInt8(size >> 24 & 0xff), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]
        }
        return bytes + data
    }

    /// Pixel `p` of image `i` is (7 i + p) mod 251: every image differs, every byte value is used.
    static func pixels(images: Int, size: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: images * size)
        for image in 0..<images {
            for offset in 0..<size { pixels[image * size + offset] = UInt8((7 * image + offset) % 251) }
        }
        return pixels
    }

    static func labels(images: Int, classes: Int) -> [UInt8] {
        (0..<images).map { UInt8($0 % classes) }
    }

    /// An MNIST-layout folder of `train` and `test` images of `side` x `side`, 10 classes.
    static func writeIDXFolder(in folder: TemporaryFolder, train: Int, test: Int, side: Int = 8, gzip: Bool) throws {
        let suffix = gzip ? ".gz" : ""
        func store(_ name: String, _ bytes: [UInt8]) throws {
            try folder.write(name + suffix, gzip ? Gzip.compress(bytes) : bytes)
        }
        try store("train-images-idx3-ubyte", idx(dimensions: [train, side, side], data: pixels(images: train, size: side * side)))
        try store("train-labels-idx1-ubyte", idx(dimensions: [train], data: labels(images: train, classes: 10)))
        try store("t10k-images-idx3-ubyte", idx(dimensions: [test, side, side], data: pixels(images: test, size: side * side)))
        try store("t10k-labels-idx1-ubyte", idx(dimensions: [test], data: labels(images: test, classes: 10)))
    }

    /// CIFAR binary records: the label bytes of each image, then its 3,072 pixels.
    static func cifarRecords(labels: [[UInt8]], firstImage: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        let pixels = pixels(images: firstImage + labels.count, size: CIFARBinary.pixelBytes)
        for (row, recordLabels) in labels.enumerated() {
            bytes += recordLabels
            let image = firstImage + row
            bytes += pixels[(image * CIFARBinary.pixelBytes)..<((image + 1) * CIFARBinary.pixelBytes)]
        }
        return bytes
    }

    /// A CIFAR-10 folder with `perBatch` images in each of the 5 training files and the test file.
    static func writeCIFAR10(in folder: TemporaryFolder, subfolder: String = "", perBatch: Int) throws {
        let prefix = subfolder.isEmpty ? "" : subfolder + "/"
        for batch in 1...5 {
            let labels = (0..<perBatch).map { [UInt8(($0 + batch) % 10)] }
            try folder.write(prefix + "data_batch_\(batch).bin", cifarRecords(labels: labels, firstImage: (batch - 1) * perBatch))
        }
        try folder.write(prefix + "test_batch.bin", cifarRecords(labels: (0..<perBatch).map { [UInt8($0 % 10)] }))
    }

    /// A CIFAR-100 folder: image i has coarse label i mod 20 and fine label i mod 100.
    static func writeCIFAR100(in folder: TemporaryFolder, subfolder: String = "", train: Int, test: Int) throws {
        let prefix = subfolder.isEmpty ? "" : subfolder + "/"
        try folder.write(prefix + "train.bin", cifarRecords(labels: (0..<train).map { [UInt8($0 % 20), UInt8($0 % 100)] }))
        try folder.write(prefix + "test.bin", cifarRecords(labels: (0..<test).map { [UInt8($0 % 20), UInt8($0 % 100)] }))
    }

    /// An in-memory dataset of `count` images, labels cycling through `classes`.
    static func dataset(count: Int, channels: Int = 3, side: Int = 8, classes: Int = 10) throws -> Dataset {
        try Dataset(
            name: "synthetic", part: "train", channels: channels, height: side, width: side,
            classNames: (0..<classes).map { "class \($0)" },
            images: pixels(images: count, size: channels * side * side),
            labels: (0..<count).map { Int32($0 % classes) })
    }
}

/// Asserts that `body` throws a `DatasetError` whose message contains every one of `fragments`.
func assertDatasetError<T>(
    _ body: @autoclosure () throws -> T, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected a DatasetError containing \(fragments)", file: file, line: line)
    } catch let error as DatasetError {
        let message = error.description
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}
