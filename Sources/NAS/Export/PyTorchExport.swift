import Datasets
import Foundation
import Torch

/// A trained network in the form PyTorch users load (docs/pytorch.md): a folder with
///
/// - `state_dict.safetensors`: every parameter and buffer under DARTS' reference names
///   (`ReferenceNames`), so `load_state_dict` of DARTS' `NetworkCIFAR` / `NetworkImageNet`, or of
///   the `model.py` beside it, takes it as it is;
/// - `model.py`: the networks in plain PyTorch, for any genotype (`PyTorchModelSource`);
/// - `network.json`: the constructor arguments, image shape and input normalisation;
/// - `genotype.json`, `genotype.txt`.
public enum PyTorchExport {
    /// File names inside an export folder.
    public static let stateDictFile = "state_dict.safetensors"
    /// The PyTorch code.
    public static let modelFile = "model.py"
    /// The constructor arguments.
    public static let networkFile = "network.json"

    /// What `network.json` says: everything needed to rebuild the network and feed it.
    public struct NetworkDescription: Codable, Equatable, Sendable {
        /// "NetworkCIFAR" or "NetworkImageNet".
        public var className: String
        /// Channels of the first cells (DARTS `C`).
        public var initChannels: Int
        /// Classes (DARTS `num_classes`).
        public var classes: Int
        /// Cells.
        public var layers: Int
        /// Whether the auxiliary head exists.
        public var auxiliary: Bool
        /// Image channels.
        public var inputChannels: Int
        /// The CIFAR stem's width multiple (DARTS: 3).
        public var stemMultiplier: Int
        /// Image height the network was trained on.
        public var imageHeight: Int
        /// Image width the network was trained on.
        public var imageWidth: Int
        /// The genotype (our JSON form: one list of {op, input} per node).
        public var genotype: Genotype
        /// The genotype in DARTS' text form.
        public var genotypeText: String
        /// Per-channel mean subtracted from images on the 0...1 scale (nil when unknown).
        public var mean: [Float]?
        /// Per-channel standard deviation images are divided by (nil when unknown).
        public var std: [Float]?
        /// The dataset the network was trained on.
        public var dataset: String

        private enum CodingKeys: String, CodingKey {
            case className = "class"
            case initChannels = "C"
            case classes = "num_classes"
            case layers, auxiliary, genotype, mean, std, dataset
            case inputChannels = "input_channels"
            case stemMultiplier = "stem_multiplier"
            case imageHeight = "image_height"
            case imageWidth = "image_width"
            case genotypeText = "genotype_text"
        }
    }

    /// The description of a trained network.
    public static func description(of network: EvalNetwork, configuration: TrainingConfiguration,
                                   statistics: ChannelStatistics?) -> NetworkDescription {
        let c = network.configuration
        return NetworkDescription(className: c.style == .imagenet ? "NetworkImageNet" : "NetworkCIFAR",
                                  initChannels: c.initChannels, classes: c.classes, layers: c.layers,
                                  auxiliary: c.auxiliary, inputChannels: c.inputChannels, stemMultiplier: c.stemMultiplier,
                                  imageHeight: configuration.imageHeight, imageWidth: configuration.imageWidth,
                                  genotype: network.genotype, genotypeText: network.genotype.dartsText,
                                  mean: statistics?.mean, std: statistics?.std, dataset: configuration.dataset)
    }

    /// Writes the export folder (created when missing; files replaced atomically).
    public static func write(_ network: EvalNetwork, description: NetworkDescription, to folder: URL) throws {
        try RunDirectory.createOutputFolder(folder)
        do {
            let tensors = try ReferenceNames.stateDict(of: network).map { ($0.0, try $0.1.to(.cpu).contiguous()) }
            try Safetensors.save(tensors, metadata: ["format": "pt", "genotype": description.genotypeText],
                                 to: folder.appendingPathComponent(stateDictFile))
            try AtomicFile.write(PyTorchModelSource.text, to: folder.appendingPathComponent(modelFile))
            try AtomicFile.write(try JSONFormat.text(description, snakeCase: false, pretty: true) + "\n",
                                 to: folder.appendingPathComponent(networkFile))
            try AtomicFile.write(description.genotype.jsonString(), to: folder.appendingPathComponent("genotype.json"))
            try AtomicFile.write(description.genotypeText + "\n", to: folder.appendingPathComponent("genotype.txt"))
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("cannot write the export into \(folder.path): \(error)")
        }
    }
}
