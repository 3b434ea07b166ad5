import Foundation

/// A run's metrics as TensorBoard scalars in `DIR/tensorboard/`, written next to metrics.jsonl
/// (always: no flag to forget). Every number of an epoch's record becomes a scalar at
/// step = epoch: losses and accuracies, the learning rate, times, every op weight of every edge,
/// DST thresholds and sparsity. `tensorboard --logdir runs/` shows all runs side by side.
///
/// On resume the folder is rebuilt from metrics.jsonl (already rewound to the checkpoint), so
/// epochs that are run again do not appear twice.
public final class TensorBoardLog {
    /// `DIR/tensorboard`, where the event files go.
    public let directory: URL
    private let writer: TensorBoardWriter
    /// Names of the op columns of `*_weights` matrices (the search space's primitives).
    private let primitives: [String]

    /// Opens the log of the run in `folder` (its `tensorboard/` and `metrics.jsonl`); with
    /// `resume` the event files are rebuilt from metrics.jsonl.
    public init(folder: URL, primitives: [String] = [], resume: Bool) throws {
        directory = folder.appendingPathComponent("tensorboard")
        let metrics = folder.appendingPathComponent("metrics.jsonl")
        self.primitives = primitives
        if resume, FileManager.default.fileExists(atPath: directory.path) {
            for file in try TensorBoardEventReader.eventFiles(in: directory) {
                do { try FileManager.default.removeItem(at: file) } catch {
                    throw RunError("cannot replace \(file.path): \(SystemReason.of(error))")
                }
            }
        }
        writer = try TensorBoardWriter(directory: directory)
        if resume, FileManager.default.fileExists(atPath: metrics.path) {
            for record in try MetricsLog.read(metrics) {
                guard let epoch = record["epoch"] as? Int else { continue }
                try writer.addScalars(Self.scalars(record, primitives: primitives), step: epoch)
            }
        }
    }

    /// Adds one epoch's record at step = its `epoch`.
    public func append<Record: Encodable>(_ record: Record) throws {
        let object = try MetricsLog.jsonObject(record)
        guard let epoch = object["epoch"] as? Int else { return }
        try writer.addScalars(Self.scalars(object, primitives: primitives), step: epoch)
    }

    /// The scalars of one metrics record, tagged so TensorBoard groups them: "loss/train",
    /// "accuracy/valid", "schedule/learning_rate", "time/epoch_seconds",
    /// "weights_normal/edge03/sep_conv_3x3", "dst/threshold_normal/node2", "architecture/...".
    public static func scalars(_ record: [String: Any], primitives: [String]) -> [(String, Double)] {
        var out: [(String, Double)] = []
        if let seconds = numeric(record["seconds"] as Any), let steps = numeric(record["steps"] as Any), steps > 0 {
            out.append(("time/step_seconds", seconds / steps))
        }
        for key in record.keys.sorted() where !["epoch", "epochs", "steps"].contains(key) {
            let value = record[key]!
            if let number = numeric(value) {
                out.append((tag(for: key), number))
            } else if key.hasSuffix("_weights"), let matrix = value as? [[Any]] {
                let cell = String(key.dropLast("_weights".count))
                for (e, row) in matrix.enumerated() {
                    for (k, weight) in row.enumerated() {
                        guard let w = numeric(weight) else { continue }
                        let op = k < primitives.count ? primitives[k] : "op\(k)"
                        out.append((String(format: "weights_%@/edge%02d/%@", cell, e, op), w))
                    }
                }
            } else if key == "thresholds", let cells = value as? [String: Any] {
                for cell in cells.keys.sorted() {
                    for (j, t) in ((cells[cell] as? [Any]) ?? []).enumerated() {
                        if let t = numeric(t) { out.append(("dst/threshold_\(cell)/node\(j + 2)", t)) }
                    }
                }
            } else if key.hasSuffix("_statistics"), let stats = value as? [String: Any] {
                let cell = String(key.dropLast("_statistics".count))
                for name in stats.keys.sorted() {
                    guard let number = numeric(stats[name]!) else { continue }
                    let group = name == "pruned_fraction" || name == "mean_in_degree" ? "dst" : "architecture"
                    out.append(("\(group)/\(cell)_\(name)", number))
                }
            }
        }
        return out
    }

    /// "train_loss" -> "loss/train", "learning_rate" -> "schedule/learning_rate", ...
    static func tag(for key: String) -> String {
        let parts = key.split(separator: "_", maxSplits: 1).map(String.init)
        if parts.count == 2, ["train", "valid", "test"].contains(parts[0]) {
            let measure = parts[1] == "top1" ? "accuracy" : parts[1] == "top5" ? "accuracy_top5" : parts[1]
            return "\(measure)/\(parts[0])"
        }
        switch key {
        case "learning_rate", "drop_path_prob": return "schedule/\(key)"
        case "seconds": return "time/epoch_seconds"
        case "images_per_second": return "time/images_per_second"
        case "cpu_seconds": return "time/cpu_seconds"
        case "zero_gradient_nodes": return "dst/zero_gradient_nodes"
        case "super_net_accuracy", "derived_accuracy": return "consistency/\(key)"
        default: return "architecture/\(key)"
        }
    }

    /// Numbers only: JSON booleans (flags such as architecture_updated) are left out.
    private static func numeric(_ value: Any) -> Double? {
        guard let n = value as? NSNumber, !String(describing: type(of: value)).contains("Boolean") else { return nil }
        return n.doubleValue
    }
}
