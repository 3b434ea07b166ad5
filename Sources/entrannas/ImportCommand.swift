import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas import`: weights with DARTS' reference names become a model `eval` and `export` take.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a safetensors state dict with DARTS' reference names into a trained model of ours.",
        discussion: """
        The state dict is that of DARTS' NetworkCIFAR or NetworkImageNet (model.py) for the given genotype, as a \
        published checkpoint holds it once converted to safetensors (docs/pytorch.md#import). Cells, channels, image \
        channels, classes and the auxiliary head are read from the tensors. The output folder holds model.safetensors \
        and the genotype, as a training run leaves them:

          entrannas import --weights darts_v2.safetensors --genotype DARTS_V2 --dataset cifar10 \\
            --data ~/cifar-10-batches-bin --output runs/darts-v2-published
          entrannas eval --checkpoint runs/darts-v2-published
        """)

    @Option(help: "A safetensors file with DARTS' reference tensor names.")
    var weights: String
    @Option(help: "The architecture the weights belong to: a built-in name (\(Genotype.builtinNames.joined(separator: ", "))), a genotype.json or genotype.txt file, or DARTS genotype text.")
    var genotype: String
    @Option(help: "Dataset the network classifies: fashion-mnist (default), mnist, cifar10, cifar100, or folder (with --data DIR).")
    var dataset = "fashion-mnist"
    @Option(help: "Folder with the dataset files (required for MNIST and CIFAR; Fashion-MNIST defaults to Debian's path).")
    var data: String?
    @OptionGroup(title: "Image folders and loading") var folder: FolderOptions
    @Option(help: "Output folder (default: runs/import-GENOTYPE).")
    var output: String?

    func validate() throws { try refuseEmptyOutput(output) }

    func run() throws {
        guard FileManager.default.fileExists(atPath: weights) else {
            throw RunError("--weights \(weights) does not exist; pass a safetensors file (docs/pytorch.md#import converts a .pt file)")
        }
        let resolved = try Genotype.resolve(genotype)
        let (test, heldOut) = try DatasetErrorMapping.run {
            let source = try DatasetSpec(name: dataset, path: data, folder: folder.settings())
            return (try source.load().test, try source.heldOutPortion())
        }
        let destination = RunDirectory(path: output ?? "runs/import-\(genotypeLabel(genotype))")
        let folderLock = try RunLock(destination)
        defer { withExtendedLifetime(folderLock) {} }
        if FileManager.default.fileExists(atPath: destination.model.path) || destination.hasCheckpoint
            || FileManager.default.fileExists(atPath: destination.metrics.path) {
            throw RunError("\(destination.path) already holds a run or a model; choose another --output")
        }
        let (network, config) = try ReferenceImport.importModel(
            weights: URL(fileURLWithPath: weights), genotype: resolved, genotypeName: genotypeLabel(genotype), dataset: test,
            datasetName: DatasetSpec.Name(spelled: dataset)?.rawValue ?? dataset, dataPath: data ?? "", validationPortion: heldOut, output: destination)
        print("imported \(weights): \(config.network.style == .imagenet ? "NetworkImageNet" : "NetworkCIFAR"), "
              + "\(config.layers) cells, \(config.initChannels) channels, \(config.classes) classes, "
              + "auxiliary head \(config.network.auxiliary ? "yes" : "no"), \(network.stateDict().count) tensors")
        print("wrote \(destination.model.path); test it: entrannas eval --checkpoint \(destination.path)")
    }
}
