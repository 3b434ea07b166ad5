import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas export`: a trained network as PyTorch loads it, checked against PyTorch.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained network for PyTorch: weights under DARTS' reference names, model.py and network.json.",
        discussion: """
        The folder holds state_dict.safetensors (every parameter and buffer under the names of DARTS' NetworkCIFAR / \
        NetworkImageNet), model.py (the network in plain PyTorch, any genotype), network.json (constructor arguments, \
        image shape, normalisation) and the genotype. With python3 and torch at hand, the export is checked: PyTorch runs \
        the test images and its logits are compared with ours (docs/pytorch.md).

          entrannas export --checkpoint runs/train-DARTS_V2-... --output runs/darts-v2-pytorch
          python3 -c 'import sys; sys.path.insert(0, "runs/darts-v2-pytorch"); import model; print(model.load("runs/darts-v2-pytorch"))'
        """)

    enum CheckChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, yes, no
    }

    @Option(help: "A training output folder, or its model.safetensors or checkpoint.safetensors.")
    var checkpoint: String
    @Option(help: "Export folder (default: pytorch/ inside the training folder).")
    var output: String?
    @Option(help: "Compare with PyTorch: auto (when \(PyTorchExport.modelFile)'s python imports torch and the dataset is there), yes (fail otherwise) or no.")
    var check: CheckChoice = .auto
    @Option(name: .customLong("check-images"), help: "Test images the check compares (the first ones; they are held in memory with our logits); 0 for the whole test set.")
    var checkImages = 10_000
    @Option(help: "Python interpreter with torch, for the check (default: the first of \(PyTorchCheck.defaultPythons.joined(separator: ", ")) that imports torch).")
    var python: String?
    @Option(help: "Dataset whose test images the check uses and whose statistics network.json records (default: the training dataset).")
    var dataset: String?
    @Option(help: "Folder with the dataset files (default: where the network was trained from).")
    var data: String?
    @OptionGroup(title: "Image folders and loading") var folder: FolderOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        try refuseEmptyOutput(output)
        if checkImages < 0 { throw ValidationError("--check-images must be 0 (all) or a positive count, got \(checkImages)") }
    }

    func run() throws {
        try runtime.apply()
        let (network, config, file) = try TrainedModel.load(path: checkpoint)
        let destination = URL(fileURLWithPath: output ?? file.deletingLastPathComponent().appendingPathComponent("pytorch").path)
        // A run's folder has a genotype.json of its own, which the export's would replace.
        if RunDirectory(url: destination).holdsRun {
            throw RunError("\(destination.path) holds a search or training run, whose genotype files the export would replace; "
                           + "choose another --output (the default is pytorch/ beside the checkpoint)")
        }
        let test = loadTestSet(config)
        // What the check needs is found before anything is written: `--check yes` without it
        // fails with the folder untouched.
        let noImages = "the test images of \(dataset ?? config.dataset) cannot be read, or do not fit the network "
            + "(\(config.inputChannels)x\(config.imageHeight)x\(config.imageWidth), \(config.classes) classes)"
        let interpreter = check == .no ? nil : PyTorchCheck.findPython(python.map { [$0] } ?? PyTorchCheck.defaultPythons)
        let which = python ?? PyTorchCheck.defaultPythons.joined(separator: " or ")
        if check == .yes {
            if test == nil { throw RunError("--check yes: \(noImages); pass --data DIR, or the --dataset it was trained on") }
            if interpreter == nil { throw RunError("--check yes needs \(which) with torch (apt-get install python3-torch)") }
        }
        let description = PyTorchExport.description(of: network, configuration: config, statistics: test?.statistics)
        try? FileManager.default.removeItem(at: destination.appendingPathComponent("check.json"))  // another export's
        try PyTorchExport.write(network, description: description, to: destination)
        print("exported \(file.path) (\(config.genotypeName), \(config.layers) cells, \(config.initChannels) channels) "
              + "to \(destination.path): \(PyTorchExport.stateDictFile), \(PyTorchExport.modelFile), \(PyTorchExport.networkFile)")
        guard check != .no else { return }
        guard let test else {
            print("check skipped: \(noImages); --data DIR or --dataset name it")
            return
        }
        guard let python = interpreter else {
            print("check skipped: \(which) cannot import torch (apt-get install python3-torch, or --python PATH)")
            return
        }
        try network.to(runtime.resolvedDevice)
        try network.to(memoryFormat: runtime.resolvedMemoryFormat())
        let loader = try DatasetErrorMapping.run {
            try DataLoader(dataset: test, batchSize: 250, shuffle: false, seed: 0, workers: folder.workerCount(for: test))
        }
        let checkFile = destination.appendingPathComponent("check-images.safetensors")
        defer { try? FileManager.default.removeItem(at: checkFile) }
        try PyTorchCheck.writeCheckFile(network: network, loader: loader, limit: checkImages, to: checkFile)
        let result = try PyTorchCheck.run(python: python, folder: destination, checkFile: checkFile)
        try AtomicFile.write(try JSONFormat.text(result, snakeCase: false, pretty: true) + "\n",
                             to: destination.appendingPathComponent("check.json"))
        print(result.line)
    }

    /// The test part of the dataset, or nil when its files are not at hand.
    private func loadTestSet(_ config: TrainingConfiguration) -> Dataset? {
        let name = dataset ?? config.dataset
        let path = data ?? (FolderOptions.isTrainingDataset(name, of: config) && !config.dataPath.isEmpty ? config.dataPath : nil)
        let settings = folder.testSettings(for: config, dataset: name, data: data)
        guard let test = try? DatasetSpec(name: name, path: path, folder: settings).load().test,
              test.channels == config.inputChannels, test.height == config.imageHeight, test.width == config.imageWidth,
              test.classCount == config.classes else { return nil }
        return test
    }
}
