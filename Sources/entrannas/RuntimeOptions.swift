import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// Options every compute command shares: device, threads and seed.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Intra-op threads (default: the machine's cores, or ENTRANNAS_THREADS).")
    var threads: Int?

    /// Optional so that a resume can tell a seed given from the default (`seed`).
    @Option(name: .customLong("seed"), help: ArgumentHelp("Random seed: one seed makes a CPU run bitwise repeatable (default: 2; a resumed run keeps its stored seed).", valueName: "seed"))
    var seedFlag: UInt64?
    /// The seed: the one given, or 2.
    var seed: UInt64 { seedFlag ?? 2 }

    @Option(help: "Where to compute: auto (a CUDA GPU when libtorch sees one, else the CPU), cpu, cuda or cuda:N.")
    var device: String = "auto"

    @Option(name: .customLong("memory-format"),
            help: "Layout of weights and batches: auto (measured: channels-last on a CPU except for PC-DARTS, NCHW on a GPU), contiguous (NCHW) or channels-last.")
    var memoryFormat: MemoryFormatChoice = .auto

    @Option(name: .customLong("batch-chunks"),
            help: "Compute each batch in this many pieces, one after the other (less memory; one process with N chunks computes what N processes of `entrannas launch` compute).")
    var batchChunks = 1

    /// The parsed `--device`; a plain `cuda` (or `auto` on a GPU machine) in a launched group is
    /// the GPU of LOCAL_RANK.
    var resolvedDevice: Device {
        get throws {
            let parsed = try Device(parsing: device)
            // In a launched group, plain `cuda` or `auto` means this rank's GPU (LOCAL_RANK).
            if parsed.isCUDA, !device.contains(":"), let local = Distributed.localRank {
                return try Device(parsing: "cuda:\(local)")
            }
            return parsed
        }
    }

    /// The layout to compute in: the flag, or for `auto` the measured default
    /// (`MemoryFormat.measuredDefault`).
    func resolvedMemoryFormat(method: SearchMethod? = nil) throws -> MemoryFormat {
        switch memoryFormat {
        case .contiguous: return .contiguous
        case .channelsLast: return .channelsLast
        case .auto: return MemoryFormat.measuredDefault(method: method, device: try resolvedDevice)
        }
    }

    /// The processes (from the environment) and chunks each batch is spread over.
    var parallel: DataParallel {
        get throws { try DataParallel(group: Distributed.group(device: resolvedDevice), chunks: batchChunks) }
    }

    func validate() throws {
        if let threads, let message = SizeLimits.complaint("--threads", threads, 1...SizeLimits.threads) {
            throw ValidationError(message)
        }
        if let message = SizeLimits.complaint("--batch-chunks", batchChunks, 1...SizeLimits.threads) { throw ValidationError(message) }
        do { _ = try Device(parsing: device) } catch { throw ValidationError("--device: \(error)") }
    }

    /// Applies the thread count, seeds libtorch's generator and joins the process group the
    /// environment describes (if any).
    func apply() throws {
        if threads == nil { try Self.checkThreadsEnvironment() }
        ParentWatch.start()
        if let threads { Torch.threadCount = threads }
        Torch.manualSeed(seed)
        _ = try Distributed.group(device: resolvedDevice)
    }
}

extension RuntimeOptions {
    /// libtorch's thread count is set from ENTRANNAS_THREADS when the shim loads (empty, 0 or less:
    /// every core), where a value that is no number was taken as every core without a word. Checked
    /// when a command runs, not when it is parsed: `experiment` parses its units' commands while
    /// its own --threads is what they will get.
    static func checkThreadsEnvironment() throws {
        guard let text = ProcessInfo.processInfo.environment["ENTRANNAS_THREADS"], !text.isEmpty else { return }
        guard let count = Int(text), count <= SizeLimits.threads else {
            throw RunError("ENTRANNAS_THREADS must be a count of threads up to \(SizeLimits.threads) (0 or empty: every core), "
                           + "got '\(text)'; fix or unset it, or pass --threads")
        }
    }
}

/// `--memory-format`: a layout, or `auto` to take the measured one.
enum MemoryFormatChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, contiguous
    case channelsLast = "channels-last"
}
