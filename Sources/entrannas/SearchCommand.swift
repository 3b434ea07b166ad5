import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas search`: run an architecture search and write its genotype and report.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a cell architecture (EnTranNAS, EnTranNAS-DST, DARTS 1st/2nd order, PC-DARTS).",
        discussion: """
        Writes genotype.json, genotype.txt (DARTS form), metrics.jsonl, log.txt, report.json and \
        checkpoint.safetensors (each epoch) to --output. Ctrl-C saves and stops; the same command \
        with --resume continues.

        Examples:
          entrannas search --preset quick
          entrannas search --method entrannas-dst --preset quick --output runs/dst
          entrannas search --method darts --dataset cifar10 --data DIR
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try runtime.apply()
        try options.checkWithoutData()
        _ = try performSearch(options: options, seed: runtime.seed, device: runtime.resolvedDevice,
                              parallel: runtime.parallel, memoryFormat: runtime.resolvedMemoryFormat(method: options.method),
                              train: options.loadTrainingSet())
    }
}

/// Runs a search end to end, shown on the terminal; shared by `search` and `run`. The run writes
/// its own files; a stop (Ctrl-C) exits with the stop code after the checkpoint is saved.
func performSearch(options: SearchOptions, seed: UInt64, device: Device, parallel: DataParallel,
                   memoryFormat: MemoryFormat, train: Dataset) throws -> (run: SearchRun, report: ConsistencyReport) {
    if parallel.isMain {
        for warning in options.ineffectiveFlagWarnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    }
    let run = try SearchRun(config: try options.spaceConfig(for: train), hyper: options.hyperparameters(for: train), train: train,
                            seed: seed, output: options.outputFolder(seed: seed), device: device,
                            parallel: parallel, workers: options.folder.workerCount(for: train), memoryFormat: memoryFormat)
    if parallel.isMain { run.observer = ConsoleObserver() }
    StopSignal.shared.install()
    defer { StopSignal.shared.uninstall() }
    if let steps = options.profile {
        run.profiler = try StepProfiler(steps: steps, directory: parallel.isMain ? run.directory : nil,
                                                 device: device, what: "search step")
    }
    switch try run.run(resume: options.resume) {
    case .finished(let report): return (run, report)
    case .stopped: throw ExitCode(StopSignal.exitCode)
    case .profiled: throw ExitCode.success
    }
}
