import Datasets
import Foundation
import Torch

/// A state dict with DARTS' reference names (e.g. a published DARTS checkpoint converted to
/// safetensors, docs/pytorch.md#import) turned into a trained model of ours, so `eval` tests it
/// and `export` writes it out again. The network's size is read from the tensors themselves;
/// only the genotype has to be given.
public enum ReferenceImport {
    /// Style, cells, channels, image channels, classes and auxiliary head of the network whose
    /// state dict `tensors` is, read from the stem, the cell indices and the classifier.
    public static func networkConfiguration(of tensors: [String: Tensor], source: String) throws -> EvalNetworkConfiguration {
        func shape(_ name: String) -> [Int]? { tensors[name]?.shape }
        let style: EvalNetworkConfiguration.Style
        let initChannels: Int, inputChannels: Int
        if let stem = shape("stem.0.weight"), stem.count == 4 {
            guard stem[0] % 3 == 0 else {
                throw RunError("\(source): stem.0.weight has \(stem[0]) output channels, not 3 x C as DARTS' NetworkCIFAR builds")
            }
            (style, initChannels, inputChannels) = (.cifar, stem[0] / 3, stem[1])
        } else if let first = shape("stem0.0.weight"), let second = shape("stem0.3.weight"), first.count == 4, second.count == 4 {
            (style, initChannels, inputChannels) = (.imagenet, second[0], first[1])
        } else {
            throw RunError("\(source) has neither stem.0.weight nor stem0.0.weight: it is not the state dict of DARTS' "
                           + "NetworkCIFAR or NetworkImageNet")
        }
        let cellIndices = tensors.keys.compactMap { name -> Int? in
            let parts = name.split(separator: ".")
            return parts.count > 2 && parts[0] == "cells" ? Int(parts[1]) : nil
        }
        guard let last = cellIndices.max() else { throw RunError("\(source) has no cells.N tensors: it holds no cells") }
        guard last < 1000, Set(cellIndices) == Set(0...last) else {
            throw RunError("\(source) names cells up to cells.\(last) but not every cell from 0 to it: not the state dict of a network")
        }
        guard let classifier = shape("classifier.weight"), classifier.count == 2 else {
            throw RunError("\(source) has no two-dimensional classifier.weight")
        }
        let auxiliary = tensors.keys.contains { $0.hasPrefix("auxiliary_head.") }
        return EvalNetworkConfiguration(style: style, layers: last + 1, initChannels: initChannels, inputChannels: inputChannels,
                                        classes: classifier[0], auxiliary: auxiliary)
    }

    /// Builds the network for `genotype` at the size the tensors give, loads them, and saves it
    /// as a trained model (`model.safetensors`, genotype files) into `output`, for `dataset`'s
    /// test images (`validationPortion`: the share that test part was cut by from one folder of
    /// classes, kept for `eval`). Throws one line when the file, the genotype and the dataset do not fit.
    @discardableResult
    public static func importModel(weights: URL, genotype: Genotype, genotypeName: String, dataset: Dataset,
                                   datasetName: String, dataPath: String, validationPortion: Double? = nil, output: RunDirectory)
        throws -> (network: EvalNetwork, configuration: TrainingConfiguration) {
        let file: (tensors: [String: Tensor], order: [String], metadata: [String: String])
        do { file = try Safetensors.load(from: weights) } catch { throw RunError("\(error)") }
        let size = try networkConfiguration(of: file.tensors, source: weights.path)
        guard size.inputChannels == dataset.channels, size.classes == dataset.classCount else {
            throw RunError("\(weights.path) is a network for \(size.inputChannels)-channel images and \(size.classes) classes; "
                           + "\(dataset.name) has \(dataset.channels) channels and \(dataset.classCount) classes: pass the "
                           + "--dataset it was trained on")
        }
        var configuration = TrainingConfiguration(
            preset: size.style == .imagenet ? .imagenet : .paper, genotype: genotype, genotypeName: genotypeName,
            dataset: datasetName, dataPath: dataPath, inputChannels: dataset.channels, imageHeight: dataset.height,
            imageWidth: dataset.width, classes: dataset.classCount, seed: 0)
        configuration.style = size.style
        configuration.validationPortion = validationPortion
        configuration.unreadable = dataset.files?.unreadable
        configuration.layers = size.layers
        configuration.initChannels = size.initChannels
        configuration.auxiliaryWeight = size.auxiliary ? 0.4 : 0
        try configuration.network.checkHeld(file.tensors.values.reduce(0) { $0 + $1.count }, source: weights.path)
        let network: EvalNetwork
        do { network = try EvalNetwork(genotype: genotype, configuration: configuration.network) } catch {
            throw RunError("\(weights.path): \(error)")
        }
        try ReferenceNames.load(file.tensors, into: network, source: weights.path)
        network.eval()
        do { try FileManager.default.createDirectory(at: output.url, withIntermediateDirectories: true) } catch {
            throw RunError("cannot create \(output.path): \(SystemReason.of(error))")
        }
        try TrainedModel.save(network, configuration: configuration, result: nil, in: output)
        return (network, configuration)
    }
}
