import ArgumentParser
import Foundation
import Torch

/// Options every compute command shares: device, threads and seed.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Intra-op threads (default: the machine's cores, or ENTRANNAS_THREADS).")
    var threads: Int?

    @Option(help: "Random seed: one seed makes a CPU run bitwise repeatable.")
    var seed: UInt64 = 2

    @Option(help: "Where to compute: auto (a CUDA GPU when libtorch sees one, else the CPU), cpu, cuda or cuda:N.")
    var device: String = "auto"

    /// The parsed `--device`.
    var resolvedDevice: Device {
        get throws { try Device(parsing: device) }
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        do { _ = try Device(parsing: device) } catch { throw ValidationError("--device: \(error)") }
    }

    /// Applies the thread count and seeds libtorch's generator.
    func apply() {
        if let threads { Torch.threadCount = threads }
        Torch.manualSeed(seed)
    }
}
