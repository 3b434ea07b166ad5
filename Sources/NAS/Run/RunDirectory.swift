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
    public let url: URL

    public init(path: String) {
        url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true).standardizedFileURL
    }

    public init(url: URL) { self.url = url.standardizedFileURL }

    public var path: String { url.path }
    public var checkpoint: URL { file("checkpoint.safetensors") }
    public var metrics: URL { file("metrics.jsonl") }
    public var log: URL { file("log.txt") }
    public var configuration: URL { file("config.json") }
    public var model: URL { file("model.safetensors") }
    public var genotypeJSON: URL { file("genotype.json") }
    public var genotypeText: URL { file("genotype.txt") }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpoint.path) }

    /// Makes the folder ready. A new run refuses a folder that already holds a run (so nothing is
    /// overwritten by accident); a resumed run needs the checkpoint to be there.
    public func prepare(resume: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw RunError("--output \(path) is a file, not a folder; choose another --output")
        }
        if resume {
            guard exists else { throw RunError("cannot resume: \(path) does not exist; drop --resume to start a new run there") }
            guard hasCheckpoint else {
                throw RunError("cannot resume: \(path) has no checkpoint.safetensors; drop --resume to start a new run there")
            }
        } else if exists, hasCheckpoint || fm.fileExists(atPath: metrics.path) {
            throw RunError("\(path) already holds a run; add --resume to continue it, or choose another --output")
        }
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunError("cannot create the output folder \(path): \(error.localizedDescription); choose another --output")
        }
        guard fm.isWritableFile(atPath: path) else {
            throw RunError("the output folder \(path) is not writable; choose another --output")
        }
    }
}
