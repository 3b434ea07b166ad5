import ArgumentParser
import Foundation
import Torch

/// `entrannas info`: what this build of the toolkit runs on.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print libtorch version, threads, allocator, seed and devices.")

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try runtime.apply()
        print("entrannas \(entrannasVersion)")
        print("libtorch   \(Torch.version)")
        print("threads    \(Torch.threadCount) (cores: \(ProcessInfo.processInfo.activeProcessorCount); --threads or ENTRANNAS_THREADS to change)")
        print("allocator  \(Torch.allocatorDescription)")
        print("openmp     wait policy \(OpenMPPolicy.description)")
        print("seed       \(runtime.seed)")
        print("devices    \(Torch.devices.joined(separator: ", ")) (--device auto picks \(Device.auto))")
    }
}

let entrannasVersion = "0.1.0"
