import Foundation
import Torch

/// The trained network as `model.safetensors`: the network's parameters and buffers under their
/// own names (as PyTorch's `state_dict`), with the training configuration (genotype included)
/// and the final test accuracy in the metadata, so `entrannas eval` rebuilds it from the file
/// alone. `genotype.json` and `genotype.txt` are written beside it.
public enum TrainedModel {
    /// The `format` metadata value; a file with another is refused.
    public static let format = "entrannas-model-1"

    /// Writes `model.safetensors` with the configuration and the test result (when given) as
    /// metadata, then the genotype files and cell diagrams.
    public static func save(_ network: EvalNetwork, configuration: TrainingConfiguration, result: EvaluationResult?,
                            in directory: RunDirectory) throws {
        var metadata = ["format": format, "configuration": configuration.jsonString(),
                        "genotype": configuration.genotype.dartsText]
        if let result {
            metadata["test_top1"] = String(format: "%.4f", result.top1)
            metadata["test_top5"] = String(format: "%.4f", result.top5)
            metadata["test_images"] = String(result.count)
        }
        do {
            try Safetensors.save(network.stateDict(), metadata: metadata, to: directory.model)
            try AtomicFile.write(configuration.genotype.jsonString(), to: directory.genotypeJSON)
            try AtomicFile.write(configuration.genotype.dartsText + "\n", to: directory.genotypeText)
            try CellDiagrams.write(configuration.genotype, to: directory.url)
        } catch {
            throw RunError("cannot write the trained model into \(directory.path): \(error)")
        }
    }

    /// Loads a trained network from a run folder (its `model.safetensors`, else its checkpoint),
    /// a `model.safetensors`, or a `checkpoint.safetensors`, in inference mode.
    public static func load(path: String) throws -> (network: EvalNetwork, configuration: TrainingConfiguration, file: URL) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunError("--checkpoint \(path) does not exist; pass a training output folder or its model.safetensors")
        }
        var url = URL(fileURLWithPath: path)
        if isDirectory.boolValue {
            let run = RunDirectory(path: path)
            if FileManager.default.fileExists(atPath: run.model.path) {
                url = run.model
            } else if run.hasCheckpoint {
                url = run.checkpoint
            } else {
                throw RunError("\(path) holds neither model.safetensors nor checkpoint.safetensors; pass a training output folder")
            }
        }
        let file: (tensors: [String: Tensor], order: [String], metadata: [String: String])
        do { file = try Safetensors.load(from: url) } catch { throw RunError("\(error)") }
        let weights: [String: Tensor]
        let json: String
        switch file.metadata["format"] {
        case format?:
            guard let stored = file.metadata["configuration"] else {
                throw RunError("\(url.path) has no training configuration in its metadata; the file is damaged")
            }
            json = stored
            weights = file.tensors
        case Checkpoint.format?:
            guard file.metadata["kind"] == "train", let stored = file.metadata["configuration"] else {
                throw RunError("\(url.path) is a \(file.metadata["kind"] ?? "unknown") checkpoint, not a training one; "
                               + "pass the output folder of `entrannas train`")
            }
            json = stored
            weights = file.tensors.reduce(into: [:]) { out, entry in
                if entry.key.hasPrefix("model.") { out[String(entry.key.dropFirst(6))] = entry.value }
            }
        case let other? where other.hasPrefix("entrannas"):
            throw RunError("\(url.path) has format '\(other)', which this version of entrannas does not read (it reads "
                           + "\(format) and \(Checkpoint.format)); use the version that wrote it")
        default:
            throw RunError("\(url.path) was not written by `entrannas train` (no entrannas format tag in its metadata)")
        }
        let configuration = try TrainingConfiguration(json: json, source: url.path)
        try configuration.network.checkHeld(weights.values.reduce(0) { $0 + $1.count }, source: url.path)
        let network: EvalNetwork
        do { network = try EvalNetwork(genotype: configuration.genotype, configuration: configuration.network) } catch {
            throw RunError("\(url.path): \(error)")
        }
        do { try network.load(stateDict: weights) } catch { throw RunError("\(url.path): \(error)") }
        network.eval()
        return (network, configuration, url)
    }
}
