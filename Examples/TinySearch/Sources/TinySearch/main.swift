// Uses the entrannas library from another package: a small network trained with the Torch API,
// then a short EnTranNAS-DST search and the training of what it derived, on synthetic data.
import Datasets
import Foundation
import NAS
import Torch

/// 8x8 grayscale images of 4 classes: a bright 3x3 square in the corner given by the class.
func squares(_ part: String, count: Int, seed: UInt64) throws -> Dataset {
    var state = seed
    var images: [UInt8] = [], labels: [Int32] = []
    for i in 0..<count {
        let label = i % 4
        var image = (0..<64).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8((state >> 33) % 80)
        }
        let (top, left) = [(0, 0), (0, 5), (5, 0), (5, 5)][label]
        for y in top..<(top + 3) { for x in left..<(left + 3) { image[y * 8 + x] = 255 } }
        images += image
        labels.append(Int32(label))
    }
    return try Dataset(name: "squares", part: part, channels: 1, height: 8, width: 8,
                       classNames: ["top-left", "top-right", "bottom-left", "bottom-right"], images: images, labels: labels)
}

/// Torch alone: a convolution, max pooling and a linear layer, trained with SGD.
final class TinyNet: Module, Layer, @unchecked Sendable {
    let conv: Conv2d
    let head: Linear
    init(classes: Int) throws {
        conv = try Conv2d(1, 8, kernelSize: 3, padding: 1)
        head = try Linear(8 * 4 * 4, classes)
        super.init()
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try head(try maxPool2d(try conv(x).relu(), kernelSize: 2).flatten(from: 1))
    }
}

let train = try squares("train", count: 256, seed: 1)
let test = try squares("test", count: 64, seed: 2)
Torch.manualSeed(0)

// 1. A hand-written training loop on the Torch layer.
let net = try TinyNet(classes: 4)
let optimizer = SGD(net.namedParameters(), learningRate: 0.1, momentum: 0.9)
let loader = try DataLoader(dataset: train, batchSize: 32, shuffle: true, seed: 0)
var lastLoss = 0.0
for epoch in 0..<5 {
    for host in try loader.epoch(epoch) {
        let batch = try Batch(host)
        optimizer.zeroGrad()
        let loss = try crossEntropy(try net(batch.images), batch.labels)
        try loss.backward()
        try optimizer.step()
        lastLoss = try loss.item()
    }
}
print(String(format: "torch: 5 epochs of a tiny CNN, last batch loss %.3f (chance: %.3f)", lastLoss, log(4.0)))

// libtorch errors are Swift errors: a wrong shape is caught, not a crash.
do {
    _ = try net(try Tensor.zeros([2, 3, 8, 8]))
} catch {
    print("caught: \(error)")
}

// 2. A short EnTranNAS-DST search; the run writes its own files into `output`.
let output = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-search-\(getpid())")
defer { try? FileManager.default.removeItem(at: output) }
var space = SearchSpaceConfig(method: .entrannasDST, layers: 3, initChannels: 4, steps: 2, inputChannels: 1,
                              imageSize: 8, classes: 4)
space.stemMultiplier = 1
var hyper = SearchHyperparameters(method: .entrannasDST)
hyper.epochs = 2
hyper.warmupEpochs = 0
hyper.batchSize = 16
let search = try SearchRun(config: space, hyper: hyper, train: train, seed: 1, output: output.appendingPathComponent("search"))
guard case .finished(let report) = try search.run() else { fatalError("the search was stopped") }
let genotype = search.searcher.network.genotype
print("search: \(genotype.dartsText)")
print(String(format: "search: super-net %.1f%%, derived net %.1f%% (validation split)",
             100 * report.superNetAccuracy, 100 * report.derivedAccuracy))

// 3. Train the derived cell from scratch by the DARTS protocol.
var training = TrainingConfiguration(preset: .quick, genotype: genotype, genotypeName: "tiny", dataset: "squares",
                                     inputChannels: 1, imageHeight: 8, imageWidth: 8, classes: 4, seed: 1)
training.layers = 3
training.initChannels = 8
training.epochs = 6
training.batchSize = 32
training.limit = 0
training.cutout = 0
let folder = RunDirectory(url: output.appendingPathComponent("train"))
let trainer = try Trainer(configuration: training, train: train, test: test, directory: folder)
guard case .finished(let result) = try trainer.run() else { fatalError("the training was stopped") }
print(String(format: "train: test accuracy %.1f%% on %d images", result.top1, result.count))
print("files: " + (try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("search").path)).sorted().joined(separator: " "))
