// Loader throughput, release build: `swift run -c release loader-bench [--seconds S] [--workers N]`.
// Prints images/s for the search loader (training augmentation) and the evaluation loader
// (plus cutout 16) on Fashion-MNIST (Debian's copy, or synthetic data of its shape when it is
// not installed) and on CIFAR-shaped synthetic data, batches converted to tensors as a search
// step receives them.
import Datasets
import BenchmarkSupport
import Foundation
import Torch

struct Settings {
    /// Each row runs whole epochs until at least this long has passed.
    var seconds: Int
    var workers: Int

    init(arguments: [String]) {
        let flags = BenchmarkFlags(arguments, defaults: ["seconds": 2, "workers": 1],
                                   usage: "usage: loader-bench [--seconds S] [--workers N]")
        seconds = flags["seconds"]
        workers = flags["workers"]
    }
}


/// Random bytes in a dataset of the given shape, for shapes whose real data is not at hand.
func synthetic(name: String, count: Int, shape: ImageShape, classes: Int) throws -> Dataset {
    var random = Xoshiro256(seed: 1)
    var images = [UInt8](repeating: 0, count: count * shape.count)
    images.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for index in words.indices { words[index] = random.next() }
    }
    return try Dataset(name: name, part: "train", channels: shape.channels, height: shape.height, width: shape.width,
                       classNames: (0..<classes).map { "class \($0)" }, images: images,
                       labels: (0..<count).map { Int32($0 % classes) })
}

/// Images per second over whole epochs lasting at least `seconds`, tensors included.
func measure(_ loader: DataLoader, seconds: Int) throws -> Double {
    var images = 0
    var epoch = 0
    let start = Date()
    while epoch == 0 || Date().timeIntervalSince(start) < Double(seconds) {
        for host in try loader.epoch(epoch) {
            let batch = try Batch(host)
            precondition(batch.images.shape == [batch.count, loader.dataset.channels, loader.dataset.height, loader.dataset.width])
            images += batch.count
        }
        epoch += 1
    }
    let elapsed = Date().timeIntervalSince(start)
    precondition(images == epoch * loader.imagesPerEpoch, "an epoch lost images")
    return Double(images) / elapsed
}

func report(_ dataset: Dataset, source: String, search: Augmentation, settings: Settings) throws {
    let split = try SearchSplit(dataset: dataset, seed: 0)
    let evaluation = Augmentation(cropPadding: search.cropPadding, horizontalFlip: search.horizontalFlip,
                                  cutoutLength: 16)
    for (label, augmentation, indices) in [("search (w part)", search, split.weightIndices),
                                           ("evaluation", evaluation, Array(0..<dataset.count))] {
        for batchSize in [64, 256] {
            let loader = try DataLoader(dataset: dataset, indices: indices, batchSize: batchSize,
                                        augmentation: augmentation, seed: 0, workers: settings.workers)
            let rate = try measure(loader, seconds: settings.seconds)
            let name = "\(dataset.name) \(dataset.shape) [\(source)]"
            emit("| \(name) | \(label): \(augmentation) | \(batchSize) | \(settings.workers) | \(String(format: "%.0f", rate)) |")
        }
    }
}

let settings = Settings(arguments: Array(CommandLine.arguments.dropFirst()))
emit("loader-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, allocator \(Torch.allocatorDescription), "
     + "at least \(settings.seconds) s of whole epochs per row")
emit("")
emit("| data | loader | batch | workers | images/s |")
emit("|---|---|---|---|---|")
let fashion: Dataset
var source = "Debian"
do {
    fashion = try FashionMNIST.load().train
} catch {
    source = "synthetic"
    fashion = try synthetic(name: "fashion-mnist", count: 60_000, shape: ImageShape(channels: 1, height: 28, width: 28), classes: 10)
}
try report(fashion, source: source, search: try DatasetSpec(name: .fashionMNIST).trainingAugmentation, settings: settings)
let cifar = try synthetic(name: "cifar10", count: 50_000, shape: ImageShape(channels: 3, height: 32, width: 32), classes: 10)
try report(cifar, source: "synthetic", search: try DatasetSpec(name: .cifar10, path: "-").trainingAugmentation, settings: settings)
