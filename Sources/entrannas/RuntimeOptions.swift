import ArgumentParser
import Foundation
import Torch

/// Options every compute command shares: threads and seed.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Intra-op threads (default: the machine's cores, or ENTRANNAS_THREADS).")
    var threads: Int?

    @Option(help: "Random seed: one seed makes a CPU run bitwise repeatable.")
    var seed: UInt64 = 2

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Applies the thread count and seeds libtorch's generator.
    func apply() {
        if let threads { Torch.threadCount = threads }
        Torch.manualSeed(seed)
    }
}
