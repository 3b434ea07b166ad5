import Datasets
import Foundation
import Torch

/// Proof that an export computes what we compute: our logits on test images are written to a
/// check file, the exported `model.py` runs the same images in PyTorch, and the two are compared
/// (docs/pytorch.md#the-check).
public struct PyTorchCheck: Codable, Equatable, Sendable {
    /// Images compared.
    public var images: Int
    /// Largest absolute difference between one of our logits and PyTorch's.
    public var maxAbsDiff: Double
    /// Top-1 accuracy of the exported network in PyTorch, in percent.
    public var top1PyTorch: Double
    /// Top-1 accuracy of our network on the same images, in percent.
    public var top1Entrannas: Double
    /// PyTorch's version string.
    public var torch: String

    private enum CodingKeys: String, CodingKey {
        case images, torch
        case maxAbsDiff = "max_abs_diff"
        case top1PyTorch = "top1_pytorch"
        case top1Entrannas = "top1_entrannas"
    }

    /// One line for the terminal.
    public var line: String {
        String(format: "PyTorch %@ on %d test images: max |logit difference| %.2e, top-1 %.2f%% (entrannas %.2f%%)",
               torch, images, maxAbsDiff, top1PyTorch, top1Entrannas)
    }

    /// Runs `network` (inference mode) over the first `limit` images of `loader` (all when 0)
    /// and writes the images as the network saw them, our logits and the labels to `url`.
    public static func writeCheckFile(network: EvalNetwork, loader: DataLoader, limit: Int, to url: URL) throws {
        let wasTraining = network.isTraining
        network.eval()
        defer { network.train(wasTraining) }
        var images: [Tensor] = [], logits: [Tensor] = [], labels: [Tensor] = []
        var seen = 0
        try withNoGrad {
            for host in try loader.epoch(0) where host.count > 0 {
                let batch = try Batch(host, on: network.device, format: network.memoryFormat)
                let out = try network(batch.images).logits
                let take = limit > 0 ? min(batch.count, limit - seen) : batch.count
                images.append(try batch.images.narrow(dim: 0, start: 0, length: take).to(.cpu).contiguous())
                logits.append(try out.narrow(dim: 0, start: 0, length: take).to(.cpu).contiguous())
                labels.append(try batch.labels.narrow(dim: 0, start: 0, length: take).to(.cpu).to(.int64).contiguous())
                seen += take
                if limit > 0 && seen >= limit { break }
            }
        }
        try Safetensors.save([("images", try Tensor.cat(images).contiguous()), ("logits", try Tensor.cat(logits)),
                              ("labels", try Tensor.cat(labels))], to: url)
    }

    /// Where to look for a Python with torch: the one on PATH (which may be a pyenv or venv
    /// without it), then Debian's, where `python3-torch` installs it.
    public static let defaultPythons = ["python3", "/usr/bin/python3"]

    /// The first of `candidates` that imports torch, or nil.
    public static func findPython(_ candidates: [String] = defaultPythons) -> String? {
        candidates.first { (try? runPython($0, ["-c", "import torch"]))?.status == 0 }
    }

    /// Runs `python model.py check FOLDER FILE` and reads its one JSON line.
    public static func run(python: String, folder: URL, checkFile: URL) throws -> PyTorchCheck {
        let script = folder.appendingPathComponent(PyTorchExport.modelFile).path
        let result = try runPython(python, [script, "check", folder.path, checkFile.path])
        guard result.status == 0 else {
            let last = result.errors.split(separator: "\n").last.map(String.init) ?? "no message"
            throw RunError("the PyTorch check failed (\(python) \(script) check): \(last)")
        }
        guard let line = result.output.split(separator: "\n").last,
              let check = try? JSONFormat.decoder(snakeCase: false).decode(PyTorchCheck.self, from: Data(line.utf8)) else {
            throw RunError("the PyTorch check printed no result line: \(result.output.suffix(200))")
        }
        return check
    }

    /// Runs python with `arguments`; `python` is a path or a name looked up on PATH.
    static func runPython(_ python: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        // Standard error goes to a file, so neither stream can fill a pipe while the other is read.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-python-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw RunError("cannot create \(errorFile.path) for \(python)'s messages")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw RunError("cannot start \(python): \(SystemReason.of(error))") }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? Data(contentsOf: errorFile)) ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
