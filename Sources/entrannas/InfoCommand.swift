import ArgumentParser
import Foundation
import Reporting
import Torch

/// `entrannas info`: what this build of the toolkit runs on.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print libtorch version, machine, threads, allocator, seed and devices.")

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try runtime.apply()
        print("entrannas \(entrannasVersion)")
        print("libtorch   \(Torch.version)")
        print("machine    \(MachineDescription.current)")
        print("threads    \(Torch.threadCount) (cores: \(ProcessInfo.processInfo.activeProcessorCount); --threads or ENTRANNAS_THREADS to change)")
        print("allocator  \(Torch.allocatorDescription)")
        print("openmp     wait policy \(OpenMPPolicy.description)")
        print("seed       \(runtime.seed)")
        print("devices    \(Torch.devices.joined(separator: ", ")) (--device auto picks \(Device.auto))")
        print("cuda       " + (Torch.isCUDALinked ? "linked (libtorch_cuda), \(Torch.cudaDeviceCount) GPU(s) visible"
                                                   : "not in this build (ENTRANNAS_TORCH=wheel-cuda links it)"))
        print("collectives " + [ProcessGroup.isGlooAvailable ? "gloo" : nil, ProcessGroup.isNCCLAvailable ? "nccl" : nil]
            .compactMap { $0 }.joined(separator: ", ").ifEmpty("none in this build"))
    }
}

let entrannasVersion = "0.1.0"

private extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
