import Datasets
@testable import NAS
import Torch

/// Tiny, deterministic search fixtures: 3 cells (reductions at 1 and 2), 2 steps, 4 channels,
/// 8x8 grayscale input, 3 classes.
func tinyConfig(_ method: SearchMethod, layers: Int = 3, steps: Int = 2, channels: Int = 4) -> SearchSpaceConfig {
    var c = SearchSpaceConfig(method: method, layers: layers, initChannels: channels, steps: steps, inputChannels: 1,
                              imageSize: 8, classes: 3)
    c.stemMultiplier = 1
    return c
}

func tinyBatch(_ n: Int = 4, seed: UInt64 = 7) throws -> (images: Tensor, labels: Tensor) {
    Torch.manualSeed(seed)
    let images = try Tensor.randn([n, 1, 8, 8])
    let labels = try Tensor((0..<n).map { Int64($0 % 3) }, shape: [n])
    return (images, labels)
}

/// Search settings for the tiny fixtures: batch 8, no warm-up, 2 batches for BN re-estimation.
func tinyHyper(_ method: SearchMethod, epochs: Int) -> SearchHyperparameters {
    var h = SearchHyperparameters(method: method)
    h.epochs = epochs
    h.warmupEpochs = 0
    h.batchSize = 8
    h.bnRecalibrationBatches = 2
    return h
}

/// A synthetic 8x8 grayscale dataset whose class is visible in the pixels, so a search learns.
func syntheticDataset(count: Int = 96, classes: Int = 3, seed: UInt64 = 1) -> Dataset {
    var rng = SplitMix64(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 64)
    var labels = [Int32](repeating: 0, count: count)
    for i in 0..<count {
        let label = i % classes
        labels[i] = Int32(label)
        for p in 0..<64 {
            // Brightness tells the class: robust to the crop augmentation's shifts.
            let base = 30 + 70 * label
            pixels[i * 64 + p] = UInt8(clamping: base + Int(rng.next() % 50))
        }
    }
    return try! Dataset(name: "synthetic", part: "train", channels: 1, height: 8, width: 8,
                        classNames: (0..<classes).map { "c\($0)" }, images: pixels, labels: labels)
}

/// Maximum absolute difference.
func maxDiff(_ a: Tensor, _ b: Tensor) throws -> Double { try (try a - b).abs().max().item() }
