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
        checkpoint.safetensors (each epoch) to --output. Ctrl-C saves and stops; \
        `entrannas search --output DIR --resume` continues with the stored settings.

        Examples:
          entrannas search --preset quick
          entrannas search --method entrannas-dst --preset quick --output runs/dst
          entrannas search --method darts --dataset cifar10 --data DIR
        """)

    @OptionGroup var options: SearchOptions
    @OptionGroup var runtime: RuntimeOptions

    mutating func run() throws {
        try runtime.apply()
        // A resume continues with the stored settings; flags given are checked against them.
        // The folder found stays the folder, whatever method and seed name it by default.
        let folder = options.outputFolder(seed: runtime.seed)
        let stored = try options.adoptStoredSearch(in: folder)
        if let stored {
            options.output = folder.path
            runtime.seedFlag = runtime.seedFlag ?? stored.seed
        } else {
            try options.checkWithoutData()
        }
        let train = try options.loadTrainingSet(stored: stored)
        _ = try performSearch(options: options, seed: runtime.seed, device: runtime.resolvedDevice,
                              parallel: runtime.parallel, memoryFormat: runtime.resolvedMemoryFormat(method: options.method),
                              train: train.data, stored: stored, validationPortion: train.heldOut,
                              resumeCommand: "entrannas search --output \(folder.path) --resume")
    }
}

/// Runs a search end to end, shown on the terminal; shared by `search` and `run`. The run writes
/// its own files; a stop (Ctrl-C) exits with the stop code after the checkpoint is saved.
/// `stored`: the settings of the search being resumed, which the flags given apply to;
/// `validationPortion`: the share `train` was cut from (`run` splits one folder of classes first).
func performSearch(options: SearchOptions, seed: UInt64, device: Device, parallel: DataParallel,
                   memoryFormat: MemoryFormat, train: Dataset, stored: StoredSearch? = nil,
                   validationPortion: Double? = nil, resumeCommand: String? = nil) throws -> (run: SearchRun, report: ConsistencyReport) {
    if parallel.isMain {
        for warning in options.ineffectiveFlagWarnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
    }
    let run = try SearchRun(config: try options.spaceConfig(for: train, stored: stored), hyper: options.hyperparameters(for: train, stored: stored),
                            train: train, seed: seed, output: options.outputFolder(seed: seed), device: device,
                            parallel: parallel, workers: options.folder.workerCount(for: train), memoryFormat: memoryFormat)
    // Stored whole, so that a resume from another working folder finds the same files.
    run.dataPath = options.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    run.validationPortion = validationPortion
    run.resumeCommand = resumeCommand
    if parallel.isMain, let warning = (run.config.style ?? .cifar).sizeWarning(imageSize: run.config.imageSize,
                                                                             remedy: "use --stem cifar, or a preset other than imagenet") {
        FileHandle.standardError.write(Data((warning + "\n").utf8))
    }
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
