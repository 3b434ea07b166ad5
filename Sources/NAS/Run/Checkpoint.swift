import Foundation
import Torch

/// Everything a run needs to continue exactly where it stopped, in one safetensors file:
///
/// - tensors `model.<name>`: the network's parameters and buffers;
/// - tensors `optimizer.<optimizer>.<parameter>.<slot>`: each optimizer's state;
/// - tensor `rng.torch`: libtorch's generator (weight init, dropout, drop-path masks);
/// - any extra tensors the loop adds (architecture parameters live in the model);
/// - metadata: format, kind of run, position (epochs and batches done), data-pipeline seed
///   (the loader's batches are a pure function of seed, epoch and position, so this is its whole
///   state), the run's configuration as JSON, and loop-specific values.
///
/// It is written atomically (temporary file, then rename), so a crash or a second Ctrl-C
/// never leaves a half-written checkpoint.
public struct Checkpoint {
    /// The `format` metadata value; a checkpoint with another is refused.
    public static let format = "entrannas-checkpoint-1"

    /// "train" or "search".
    public var kind: String
    /// The run's settings as JSON; `checkConfiguration` compares them on resume.
    public var configuration: String
    /// Epochs finished.
    public var epoch: Int
    /// Batches finished in epoch `epoch` (0 at an epoch boundary).
    public var batch: Int
    /// Seed of the data loaders.
    public var dataSeed: UInt64
    /// Loop-specific values (partial epoch sums, best accuracy, ...).
    public var values: [String: String]
    /// All tensors by their stored names.
    public var tensors: [String: Tensor]

    /// A checkpoint held in memory; `save(to:...)` captures and writes one in a single call.
    public init(kind: String, configuration: String, epoch: Int, batch: Int = 0, dataSeed: UInt64,
                values: [String: String] = [:], tensors: [String: Tensor] = [:]) {
        self.kind = kind
        self.configuration = configuration
        self.epoch = epoch
        self.batch = batch
        self.dataSeed = dataSeed
        self.values = values
        self.tensors = tensors
    }

    /// Captures `model`, the optimizers and libtorch's generator now, and writes it all to `url`.
    public static func save(to url: URL, kind: String, configuration: String, epoch: Int, batch: Int, dataSeed: UInt64,
                            model: Module, optimizers: [(name: String, optimizer: any Optimizer)],
                            extraTensors: [(String, Tensor)] = [], values: [String: String] = [:]) throws {
        var tensors = model.stateDict().map { ("model." + $0.0, $0.1) }
        for (name, optimizer) in optimizers {
            tensors += try optimizer.stateDict().map { ("optimizer.\(name).\($0.0)", $0.1) }
        }
        tensors.append(("rng.torch", try Torch.rngState()))
        tensors += extraTensors
        var metadata = values
        metadata["format"] = format
        metadata["kind"] = kind
        metadata["configuration"] = configuration
        metadata["epoch"] = String(epoch)
        metadata["batch"] = String(batch)
        metadata["data_seed"] = String(dataSeed)
        metadata["torch_threads"] = String(Torch.threadCount)
        keepPrevious(url)
        do { try Safetensors.save(tensors, metadata: metadata, to: url) } catch {
            throw RunError("cannot write the checkpoint \(url.path): \(error)")
        }
    }

    /// Where the checkpoint before `url` is kept: `checkpoint.prev.safetensors` beside
    /// `checkpoint.safetensors`, for when the newer one turns out damaged.
    public static func previous(of url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("prev").appendingPathExtension(url.pathExtension)
    }

    /// Keeps the checkpoint at `url` (if any) as `previous(of:)` before a new one replaces it: a
    /// hard link (no copy) renamed into place, so either name always holds a whole file.
    private static func keepPrevious(_ url: URL) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else { return }
        let previous = previous(of: url)
        let staging = previous.appendingPathExtension("tmp")
        try? fm.removeItem(at: staging)
        if link(url.path, staging.path) != 0 {
            guard (try? fm.copyItem(at: url, to: staging)) != nil else { return }  // no room: keep going without
        }
        if rename(staging.path, previous.path) != 0 { try? fm.removeItem(at: staging) }
    }

    /// Reads a checkpoint, naming the file and the problem when it is not one.
    public static func load(from url: URL) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RunError("checkpoint \(url.path) does not exist")
        }
        let file: (tensors: [String: Tensor], order: [String], metadata: [String: String])
        do { file = try Safetensors.load(from: url) } catch {
            let previous = previous(of: url)
            let fallback = FileManager.default.fileExists(atPath: previous.path)
                ? "; the run kept the one before it: `mv \(previous.path) \(url.path)`, then resume again (one epoch back)"
                : "; no earlier checkpoint is kept, so start the run anew"
            throw RunError("cannot read the checkpoint: \(error)" + fallback)
        }
        let m = file.metadata
        guard m["format"] == format else {
            throw RunError("\(url.path) is not an entrannas checkpoint (no '\(format)' format tag in its metadata)")
        }
        guard let kind = m["kind"], let configuration = m["configuration"], let epoch = m["epoch"].flatMap(Int.init),
              let batch = m["batch"].flatMap(Int.init), let seed = m["data_seed"].flatMap(UInt64.init) else {
            throw RunError("\(url.path) lacks kind, configuration, epoch, batch or data_seed in its metadata; the file is damaged")
        }
        var values = m
        for key in ["format", "kind", "configuration", "epoch", "batch", "data_seed"] { values[key] = nil }
        return Checkpoint(kind: kind, configuration: configuration, epoch: epoch, batch: batch, dataSeed: seed,
                          values: values, tensors: file.tensors)
    }

    /// The metadata key of the run's memory layout (`RunJob.memoryFormat`; bitwise-equal resumes
    /// need the same); absent in a checkpoint written before 2026-12-06 late.
    public static let memoryFormatKey = "memory_format"

    /// The run's memory layout when the checkpoint was written (bitwise-equal resumes need the same).
    public var memoryFormat: String? { values[Self.memoryFormatKey] }

    /// Libtorch's thread count when the checkpoint was written (bitwise-equal resumes need the same).
    public var threadCount: Int? { values["torch_threads"].flatMap(Int.init) }

    /// The run's CPU seconds up to this checkpoint, over all its processes (`RunLoop` keeps the
    /// total in its loop state; in a data-parallel run, summed over the ranks); nil in a
    /// checkpoint written before the total was kept.
    public var cpuSeconds: Double? { loopRecord?.cpuSeconds }

    /// The machines of the run's processes up to this checkpoint (`RunLoop` keeps them in its
    /// loop state; rank 0's in a data-parallel run); nil in a checkpoint written before they were.
    public var machines: [String]? { loopRecord?.machines }

    /// What outside readers take from `RunLoop`'s loop state.
    private struct LoopRecord: Decodable { var cpuSeconds: Double?; var machines: [String]? }
    private var loopRecord: LoopRecord? {
        values["loop"].flatMap { try? JSONFormat.decoder(snakeCase: false).decode(LoopRecord.self, from: Data($0.utf8)) }
    }

    /// The tensors under `prefix.`, with the prefix removed.
    public func tensors(under prefix: String) -> [String: Tensor] {
        let p = prefix + "."
        var out: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix(p) { out[String(name.dropFirst(p.count))] = tensor }
        return out
    }

    /// Loads the weights into `model`, the state into each optimizer, and restores libtorch's
    /// generator: after this, the run continues as if it had never stopped.
    public func restore(model: Module, optimizers: [(name: String, optimizer: any Optimizer)]) throws {
        do {
            try model.load(stateDict: tensors(under: "model"))
            for (name, optimizer) in optimizers { try optimizer.load(stateDict: tensors(under: "optimizer.\(name)")) }
        } catch {
            throw RunError("the checkpoint does not fit this network: \(error)")
        }
        guard let rng = tensors["rng.torch"] else { throw RunError("the checkpoint has no rng.torch state; the file is damaged") }
        do { try Torch.setRNGState(rng) } catch { throw RunError("cannot restore the random generator: \(error)") }
    }

    /// Throws, naming the first setting that differs, unless `current` describes the same run as
    /// the checkpoint. Top-level keys in `ignoring` may differ (for example the epoch budget of a
    /// run that is to be extended).
    public func checkConfiguration(_ current: String, kind: String, ignoring: Set<String> = []) throws {
        guard self.kind == kind else {
            throw RunError("the checkpoint was written by a \(self.kind) run, not a \(kind) run; use a new --output")
        }
        if let difference = Self.firstDifference(saved: configuration, current: current, ignoring: ignoring) {
            throw Self.resumeRefusal(difference)
        }
    }

    /// The error for a resume whose settings differ from the checkpoint's, `difference` saying how.
    public static func resumeRefusal(_ difference: String) -> RunError {
        RunError("cannot resume: \(difference); resume with the checkpoint's settings (the same flags as the "
                 + "run that wrote it) or start a new run in another --output")
    }

    /// The settings a user chooses, whose change changes many others (a preset's or a method's
    /// defaults): named first, so a changed --method or training --preset is not reported as a
    /// learning rate or a batch size.
    static let leadingSettings = ["method", "preset", "genotype_name", "dataset", "seed"]

    /// Settings stored since 2026-12-06 late (an image folder's held-out share; its unreadable-image
    /// policy, also new, is never compared): a checkpoint written before lacks them, and resumes
    /// compared without them.
    static let storedLater: Set<String> = ["val_portion"]

    /// The first top-level setting (the leading ones, then in sorted order) whose value differs,
    /// described for a user, or nil when the two JSON objects agree.
    public static func firstDifference(saved: String, current: String, ignoring: Set<String> = []) -> String? {
        func object(_ text: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
        guard let a = object(saved), let b = object(current) else {
            return saved == current ? nil : "the stored configuration cannot be read"
        }
        let keys = Set(a.keys).union(b.keys).subtracting(ignoring)
        for key in leadingSettings.filter(keys.contains) + keys.subtracting(leadingSettings).sorted() {
            let left = a[key].map(compactJSON), right = b[key].map(compactJSON)
            if left == right || (left == nil && storedLater.contains(key)) { continue }
            let name = key.replacingOccurrences(of: "_", with: "-")
            guard let left, let right else {
                return "setting '\(name)' is \(left == nil ? "missing from the checkpoint" : "missing from this run")"
            }
            if left.count + right.count > 80 { return "setting '\(name)' differs from the checkpoint's" }
            return "setting '\(name)' is \(right) here but \(left) in the checkpoint"
        }
        return nil
    }

    private static func compactJSON(_ value: Any) -> String {
        if let string = value as? String { return string }
        guard JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else { return String(describing: value) }
        return String(text.dropFirst().dropLast())
    }
}
