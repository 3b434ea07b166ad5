// Image-folder loader throughput, release build: `image-folder-bench ROOT [--size 224]
// [--batch 32] [--workers N] [--seconds S]`, ROOT holding train/ and val/ (benchmarks/image-folder.sh
// writes one). Prints markdown rows of decoded-and-augmented images/s: files read, decoded,
// resized and augmented into float batches (HostBatch) by the loader's workers; no tensors.
import BenchmarkSupport
import Datasets
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: image-folder-bench ROOT [--size 224] [--batch 32] [--workers N] [--seconds S]"
guard let root = arguments.first, !root.hasPrefix("-") else {
    emit(usage)
    exit(2)
}
let flags = BenchmarkFlags(arguments.dropFirst(), defaults: ["size": 224, "batch": 32, "workers": 1, "seconds": 5],
                           usage: usage)

/// Images per second over whole epochs lasting at least `seconds`.
func measure(_ loader: DataLoader, seconds: Int) throws -> Double {
    var images = 0
    var epoch = 0
    let start = Date()
    while epoch == 0 || Date().timeIntervalSince(start) < Double(seconds) {
        for host in try loader.epoch(epoch) {
            images += try host.checked().count
        }
        epoch += 1
    }
    return Double(images) / Date().timeIntervalSince(start)
}

do {
    let data = try ImageFolder.load(root: root, outputSize: flags["size"])
    let workers = flags["workers"]
    for (label, dataset, augmentation) in [
        ("train: crop + flip + jitter + lighting", data.train, Augmentation.imageNetTraining),
        ("val: resize \(data.test.files!.resizeSide) + centre crop", data.test, Augmentation.plain),
    ] {
        let loader = try DataLoader(dataset: dataset, batchSize: flags["batch"], augmentation: augmentation, seed: 0,
                                    prefetch: max(2, workers), workers: workers)
        let rate = try measure(loader, seconds: flags["seconds"])
        emit("| \(label) | \(dataset.count) | \(flags["size"]) | \(flags["batch"]) | \(workers) | \(String(format: "%.0f", rate)) |")
    }
    if workers == 1 {
        // Decoding alone, one thread: how much of the loader's time the codecs take.
        let files = data.train.files!
        let start = Date()
        var decoded = 0
        for index in 0..<files.paths.count { decoded += try files.image(at: index).height > 0 ? 1 : 0 }
        let rate = Double(decoded) / Date().timeIntervalSince(start)
        emit("| decode only (read + JPEG/PNG, no resize) | \(decoded) | - | - | 1 thread | \(String(format: "%.0f", rate)) |")
    }
} catch {
    emit("error: \(error)")
    exit(1)
}
