import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas eval`: top-1 and top-5 test accuracy of a trained network.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Print the top-1 and top-5 test accuracy of a network trained by `entrannas train`.",
        discussion: """
        --checkpoint takes a training output folder (its model.safetensors, or its checkpoint while training still runs), or either file. The dataset defaults to the one the network was trained on.
        """)

    @Option(help: "A training output folder, or its model.safetensors or checkpoint.safetensors.")
    var checkpoint: String
    @Option(help: "Dataset to test on (default: the training dataset): fashion-mnist, mnist, cifar10, cifar100, or folder (with --data DIR).")
    var dataset: String?
    @Option(help: "Folder with the dataset files (default: where the network was trained from).")
    var data: String?
    @OptionGroup(title: "Image folders and loading") var folder: FolderOptions
    @Option(help: "Images per forward pass.")
    var batchSize: Int = 256

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if let message = SizeLimits.complaint("--batch-size", batchSize, 1...SizeLimits.batchSize) { throw ValidationError(message) }
    }

    func run() throws {
        try runtime.apply()
        let (network, config, file) = try TrainedModel.load(path: checkpoint)
        try network.to(runtime.resolvedDevice)
        try network.to(memoryFormat: runtime.resolvedMemoryFormat())
        let name = dataset ?? config.dataset
        let path = data ?? (FolderOptions.isTrainingDataset(name, of: config) && !config.dataPath.isEmpty ? config.dataPath : nil)
        let test = try DatasetSpec(name: name, path: path, folder: folder.testSettings(for: config, dataset: name, data: data)).load().test
        guard test.channels == config.inputChannels, test.height == config.imageHeight, test.width == config.imageWidth,
              test.classCount == config.classes else {
            throw RunError("the network takes \(config.inputChannels)x\(config.imageHeight)x\(config.imageWidth) images "
                           + "with \(config.classes) classes, \(test.name) has \(test.channels)x\(test.height)x\(test.width) "
                           + "with \(test.classCount); test it on --dataset \(config.dataset)")
        }
        print("model: \(file.path) (\(config.genotypeName), \(config.layers) cells, \(config.initChannels) channels, "
              + "trained on \(config.dataset))")
        let parallel = try runtime.parallel
        if parallel.isMain, let warning = folder.heldOutWarning(for: config, dataset: name, data: data) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        let loader = try DatasetErrorMapping.run {
            try DataLoader(dataset: test, batchSize: batchSize, shuffle: false, seed: 0, prefetch: max(2, folder.workerCount(for: test)),
                           workers: folder.workerCount(for: test), shard: parallel.shard)
        }
        StopSignal.shared.install()
        defer { StopSignal.shared.uninstall() }
        guard let result = try evaluate(network, on: loader, observer: parallel.isMain ? ConsoleObserver() : nil,
                                        stop: StopSignal.shared, parallel: parallel) else {
            print("stopped before the end of the test set")
            throw ExitCode(StopSignal.exitCode)
        }
        print(String(format: "test accuracy: %.2f%% top-1, %.2f%% top-5, loss %.4f", result.top1, result.top5, result.loss)
              + " on \(result.count) \(test.name) test images")
    }
}

/// Turns the loader's own errors into the same one-line form as everything else.
enum DatasetErrorMapping {
    static func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatasetError { throw RunError("\(error)") }
    }
}
