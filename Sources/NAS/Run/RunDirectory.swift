import Foundation

/// The files of one run's output folder, named the same for training and search:
///
///     DIR/checkpoint.safetensors   resumable state, rewritten atomically every epoch
///     DIR/metrics.jsonl            one JSON object per epoch
///     DIR/log.txt                  the printed per-epoch lines, time-stamped
///     DIR/config.json              the effective settings of the run
///     DIR/model.safetensors        final weights (training)
///     DIR/genotype.json, .txt      the architecture, as JSON and in DARTS text form
public struct RunDirectory: Sendable, Equatable {
    /// The folder, standardised.
    public let url: URL

    /// The folder at `path`; `~` is expanded.
    public init(path: String) {
        url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true).standardizedFileURL
    }

    /// The folder at `url`.
    public init(url: URL) { self.url = url.standardizedFileURL }

    /// The folder's path, for messages.
    public var path: String { url.path }
    /// `checkpoint.safetensors`: resumable state.
    public var checkpoint: URL { file("checkpoint.safetensors") }
    /// `metrics.jsonl`: one JSON object per epoch.
    public var metrics: URL { file("metrics.jsonl") }
    /// `log.txt`: the printed lines, time-stamped.
    public var log: URL { file("log.txt") }
    /// `config.json`: the run's effective settings.
    public var configuration: URL { file("config.json") }
    /// `model.safetensors`: the final weights of a training run.
    public var model: URL { file("model.safetensors") }
    /// `genotype.json`: the architecture as JSON.
    public var genotypeJSON: URL { file("genotype.json") }
    /// `genotype.txt`: the architecture in DARTS text form.
    public var genotypeText: URL { file("genotype.txt") }

    /// A file of this folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Whether a checkpoint exists, so the run can be resumed.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpoint.path) }

    /// Whether a search or a training ran here: a checkpoint, a recorded epoch or a trained model.
    /// Folders of other kinds (a `run`'s root, an export) must not be written over one.
    public var holdsRun: Bool {
        hasCheckpoint || recordsAnEpoch || FileManager.default.fileExists(atPath: model.path)
    }

    /// Whether metrics.jsonl holds an epoch (a run that got that far has results to keep).
    var recordsAnEpoch: Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: metrics.path),
              let size = attributes[.size] as? NSNumber else { return false }
        return size.intValue > 0
    }

    /// Removes what a run that ended before its first checkpoint leaves (its logs, settings and
    /// report): nothing of it can be resumed, and it would make the folder look taken.
    public func clearRunWithoutCheckpoint() throws {
        let fm = FileManager.default
        for file in [metrics, log, configuration, self.file("report.html"), self.file("tensorboard")]
        where fm.fileExists(atPath: file.path) {
            do { try fm.removeItem(at: file) } catch {
                throw RunError("cannot clear \(file.path), left by a run that ended before its first checkpoint: "
                               + "\(SystemReason.of(error)); remove it or choose another --output")
            }
        }
    }

    /// The error for a file where the output folder should be (before a resume's own checks,
    /// which would call it a run without a checkpoint).
    private static func fileInPlace(_ path: String) -> RunError {
        RunError("--output \(path) is a file, not a folder; choose another --output")
    }

    /// Creates `url` (and its parents) for a command's output, with a one-line error naming the
    /// folder and the fix: a file in its place or in a parent's, or a folder that cannot be made.
    public static func createOutputFolder(_ url: URL) throws {
        func isFile(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        if isFile(url) { throw fileInPlace(url.path) }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            // Foundation says only "error 512" when a parent is a file: name it.
            var parent = url.standardizedFileURL.deletingLastPathComponent()
            while parent.pathComponents.count > 1 && !isFile(parent) { parent.deleteLastPathComponent() }
            let why = isFile(parent) ? "\(parent.path) is a file, not a folder" : SystemReason.of(error)
            throw RunError("cannot create the output folder \(url.path): \(why); choose another --output")
        }
    }

    /// Makes the folder ready. A new run refuses a folder that already holds a run (so nothing is
    /// overwritten by accident); a resumed run needs the checkpoint to be there.
    public func prepare(resume: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw Self.fileInPlace(path) }
        // Epochs recorded but no checkpoint (a full disk at the first save): neither a resume nor
        // a new run over those epochs can go on, so the error names the one way out.
        // A finished training whose checkpoint was deleted to save space keeps its model: said so.
        let stranded = fm.fileExists(atPath: model.path)
            ? RunError("\(path) holds a finished training (model.safetensors) without its checkpoint.safetensors; nothing "
                       + "there can be resumed or overwritten: choose another --output")
            : RunError("\(path) holds a run that recorded epochs but no checkpoint.safetensors to resume from "
                       + "(it ended before saving one); remove the folder or choose another --output")
        if resume {
            guard exists else { throw RunError("cannot resume: \(path) does not exist; drop --resume to start a new run there") }
            guard hasCheckpoint else {
                if recordsAnEpoch { throw stranded }
                throw RunError("cannot resume: \(path) has no checkpoint.safetensors; drop --resume to start a new run there")
            }
        } else if exists, !hasCheckpoint && recordsAnEpoch {
            throw stranded
        } else if exists, hasCheckpoint {
            throw RunError("\(path) already holds a run; add --resume to continue it, or choose another --output")
        } else if exists {
            // A run that failed before its first checkpoint (a NaN loss, a full disk) has nothing
            // to resume: its files go, so the fix its error names can be tried in the same folder.
            try clearRunWithoutCheckpoint()
        }
        try Self.createOutputFolder(url)
        guard fm.isWritableFile(atPath: path) else {
            throw RunError("the output folder \(path) is not writable; choose another --output")
        }
    }
}
