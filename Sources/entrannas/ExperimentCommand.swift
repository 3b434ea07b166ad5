import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas experiment`: methods x seeds under one search budget, each derived cell trained
/// from scratch next to random cells, with mean and spread over seeds in results.md.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Compare search methods over several seeds against random cells; writes results.md and results.json.",
        discussion: """
        Every unit (a search, the training of what it derived, the training of a random cell) runs as its own \
        `entrannas` process, so its time and peak memory are its own, and writes units/NAME/result.json as soon \
        as it finishes. Ctrl-C stops the running unit after saving its checkpoint; \
        `entrannas experiment --output DIR --resume` continues it with its stored plan, settings and data folder \
        (--jobs, --threads and --device are not stored: give them again) and never redoes a finished unit; \
        a resume may raise --random-cells, to add random cells to an experiment (the grown plan is stored at once, for good). --jobs N runs N units at once (each one as \
        soon as the search it trains, or the searches it copies, have finished), their output going to \
        units/NAME/console.txt; cores / N threads each (at least one) unless --threads says otherwise.

        Example (the README's experiment, two units at once; the four methods, the cpu preset and \
        training protocol p1 are the defaults):
          entrannas experiment --seeds 1,2 --random-cells 3 --jobs 2

        With statistics that can decide "better than random" (docs/experiment.md#statistics): four searches per \
        method, six random cells per rule, every cell trained with the same two seeds (the smallest possible p, 1/C(10, 4), \
        stays below 0.05 under Holm over the four methods; the example above cannot, and says so):
          entrannas experiment --seeds 1,2,3,4 --random-cells 6 --train-seeds 1,2 ...

        The most accurate searched cell so far (over all its trainings) goes to best-genotype.txt, to be trained \
        in full as DARTS does with the best of its searches:
          entrannas train --genotype runs/experiment/best-genotype.txt --preset paper

        Further flags for every search, say another DST renormalisation:
          entrannas experiment --methods entrannas-dst \\
            --search-options "--dst-renormalization hard" ...
        """)

    // The plan's and the settings' flags are optional so that a resume can tell a flag given
    // from a default, and take the stored experiment's value where none is given.
    @Option(name: .customLong("methods"), help: ArgumentHelp("Comma-separated search methods (default: darts,pc-darts,entrannas,entrannas-dst).", valueName: "methods"))
    var methodsFlag: String?
    @Option(name: .customLong("seeds"), help: ArgumentHelp("Comma-separated seeds; every method searches once per seed (default: 1,2).", valueName: "seeds"))
    var seedsFlag: String?
    @Option(name: .customLong("random-cells"), help: ArgumentHelp("Random cells per rule (default 4): DARTS rule (2 inputs per node) and, with entrannas-dst, DST's in-degree. With n seeds, m random cells and k methods the Holm p cannot go below k / C(n + m, n); a plan whose floor is not below 0.05 is told so at the start.", valueName: "random-cells"))
    var randomCellsFlag: Int?
    @Option(name: .customLong("preset"), help: ArgumentHelp("Search preset of every search: quick, cpu (default), paper or imagenet.", valueName: "preset"))
    var presetFlag: SearchPreset?
    @Option(help: "Search epochs instead of the preset's.")
    var epochs: Int?
    @Option(name: .customLong("search-options"), parsing: .unconditional, help: ArgumentHelp(
        "Further flags for every search, as one string split at spaces (say \"--dst-renormalization hard\"); flags the experiment sets itself, or that its random cells and trainings would not follow, are refused.",
        valueName: "flags"))
    var searchOptionsFlag: String?
    @Option(name: .customLong("dataset"), help: ArgumentHelp("Dataset: fashion-mnist (default), mnist, cifar10, cifar100.", valueName: "dataset"))
    var datasetFlag: String?
    @Option(help: "Folder of the dataset files (required for MNIST and CIFAR).")
    var data: String?

    @Option(name: .customLong("train-seeds"), help: "Comma-separated training seeds: every searched and random cell is trained once with each (the same seeds for all cells), and random DST cells copy a searched DST cell's in-degree node by node. Default: one training per cell, seeded with its search seed or index.")
    var trainSeeds: String?
    // The defaults are protocol p1, the one whose noise was measured and found small enough
    // (docs/experiment.md#training-noise); the earlier 4 epochs of 8 cells never were.
    @Option(name: .customLong("train-epochs"), help: ArgumentHelp("Training protocol: epochs of every trained cell (default 10; the defaults of the four are protocol p1, whose one-training noise is measured: docs/experiment.md#training-noise).", valueName: "train-epochs"))
    var trainEpochsFlag: Int?
    @Option(name: .customLong("train-limit"), help: ArgumentHelp("Training protocol: training images, class-balanced (0 = all; default 10000).", valueName: "train-limit"))
    var trainLimitFlag: Int?
    @Option(name: .customLong("train-layers"), help: ArgumentHelp("Training protocol: cells of the evaluation network (default 5).", valueName: "train-layers"))
    var trainLayersFlag: Int?
    @Option(name: .customLong("train-channels"), help: ArgumentHelp("Training protocol: initial channels of the evaluation network (default 16).", valueName: "train-channels"))
    var trainChannelsFlag: Int?

    @Option(help: "Units run at once, each its own process (on 2 cores, 2 single-threaded units beat one on 2 threads; with several GPUs and --device auto or cuda, each unit gets the least busy GPU).")
    var jobs: Int = 1
    @Option(help: "Intra-op threads of every unit (default: the machine's cores divided by --jobs).")
    var threads: Int?

    @Option(help: "Device of every unit: auto, cpu, cuda or cuda:N.")
    var device: String = "auto"
    @Option(help: "Output folder.")
    var output: String = "runs/experiment"
    @Flag(help: "Continue the experiment in --output with its stored plan and settings (flags given must agree with them, but --random-cells may grow): finished units are kept, an interrupted one resumes.")
    var resume = false

    var methods: String { methodsFlag ?? "darts,pc-darts,entrannas,entrannas-dst" }
    var seeds: String { seedsFlag ?? "1,2" }
    var randomCells: Int { randomCellsFlag ?? 4 }
    var preset: SearchPreset { presetFlag ?? .cpu }
    var searchOptions: String { searchOptionsFlag ?? "" }
    var dataset: String { datasetFlag ?? "fashion-mnist" }
    var trainEpochs: Int { trainEpochsFlag ?? 10 }
    var trainLimit: Int { trainLimitFlag ?? 10_000 }
    var trainLayers: Int { trainLayersFlag ?? 5 }
    var trainChannels: Int { trainChannelsFlag ?? 16 }

    /// With --resume, the stored experiment's plan and settings fill the flags not given; flags
    /// given stay, and `Experiment` names any that differ. A stored value that does not read
    /// back is left to that comparison too.
    mutating func adoptStoredExperiment() throws {
        guard resume, let (plan, stored, dataPath) = try Experiment.stored(in: RunDirectory(path: output)) else { return }
        func list<T>(_ values: [T]) -> String { values.map { "\($0)" }.joined(separator: ",") }
        methodsFlag = methodsFlag ?? plan.methods.map(\.rawValue).joined(separator: ",")
        seedsFlag = seedsFlag ?? list(plan.seeds)
        randomCellsFlag = randomCellsFlag ?? plan.randomCells
        trainSeeds = trainSeeds ?? plan.trainSeeds.map(list)
        presetFlag = presetFlag ?? stored["preset"].flatMap(SearchPreset.init(rawValue:))
        epochs = epochs ?? stored["epochs"].flatMap { Int($0) }
        searchOptionsFlag = searchOptionsFlag ?? stored["search_options"]
        // Another spelling of the stored dataset ("Fashion_MNIST") is the same dataset.
        if let given = datasetFlag, let spelled = stored["dataset"], let name = DatasetSpec.Name(spelled: given),
           name == DatasetSpec.Name(spelled: spelled) {
            datasetFlag = spelled
        }
        datasetFlag = datasetFlag ?? stored["dataset"]
        if data == nil, dataset == stored["dataset"] { data = dataPath }
        trainEpochsFlag = trainEpochsFlag ?? stored["train_epochs"].flatMap { Int($0) }
        trainLimitFlag = trainLimitFlag ?? stored["train_limit"].flatMap { Int($0) }
        trainLayersFlag = trainLayersFlag ?? stored["train_layers"].flatMap { Int($0) }
        trainChannelsFlag = trainChannelsFlag ?? stored["train_channels"].flatMap { Int($0) }
    }

    /// Every setting checked before anything runs, as a usage error of this command (thrown from
    /// `run`, the parser printed the top-level usage under it). On --resume, first the stored
    /// experiment's plan and settings where no flag is given.
    mutating func validate() throws {
        try refuseEmptyOutput(output)
        // A damaged experiment.json is named by `run` (Experiment, before anything runs), with a
        // run error's exit status: the checks below would test the defaults instead.
        do { try adoptStoredExperiment() } catch { return }
        do { _ = try Device(parsing: device) } catch { throw ValidationError("--device: \(error)") }  // not in every unit
        let plan = try makePlan()
        if trainEpochs < 1 { throw ValidationError("--train-epochs must be at least 1, got \(trainEpochs)") }
        if let message = SizeLimits.complaint("--jobs", jobs, 1...SizeLimits.processesPerNode) { throw ValidationError(message) }
        if let threads, let message = SizeLimits.complaint("--threads", threads, 1...SizeLimits.threads) {
            throw ValidationError(message)
        }
        // Without --threads (and with one unit at a time) the units inherit it.
        if threads == nil && jobs == 1 { try RuntimeOptions.checkThreadsEnvironment() }
        try validateSearchOptions(methods: plan.methods)
        try validateTrainingProtocol()
    }

    func run() throws {
        if let world = ProcessInfo.processInfo.environment["WORLD_SIZE"].flatMap(Int.init), world > 1 {
            throw RunError("experiment runs each unit as a child process of its own (--jobs N for several at once); start it without a launcher "
                           + "(WORLD_SIZE is \(world)), or launch the single search and train commands")
        }
        let plan = try makePlan()
        // One experiment per folder (each unit also locks its own).
        let folderLock = try RunLock(RunDirectory(path: output))
        defer { withExtendedLifetime(folderLock) {} }
        let experiment = try Experiment(directory: RunDirectory(path: output), plan: plan, settings: settings, resume: resume,
                                        dataPath: data.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        for note in plan.powerNotes() { say("experiment: note: \(note)") }
        let units = UnitProcesses(command: self)
        if jobs > 1 {
            say("experiment: \(jobs) units at once; each unit's output goes to \(output)/units/NAME/console.txt")
            units.showProgress(every: 60)
        }
        units.forwardSignals()
        let outcome = try experiment.run({ unit, folder, previous in try units.run(unit, in: folder, previous: previous) },
                                         jobs: jobs, stopOthers: {
                                             StopSignal.shared.request("a unit failed")
                                             units.running.signalAll(SIGINT)
                                         },
                                         progress: { say("experiment \($0)") })
        let results = experiment.finishedResults()
        say("experiment: \(results.count) of \(plan.units.count) units finished; wrote \(experiment.directory.file("results.md").path)")
        if let best = ExperimentSummary(plan: plan, settings: settings, results: results).bestSearched {
            say(String(format: "experiment: best searched cell so far: %@ seed %llu, %.2f%% over %d training%@; its genotype: %@",
                       best.method, best.seed, best.accuracy, best.trainings, best.trainings == 1 ? "" : "s",
                       experiment.directory.file(Experiment.bestGenotypeFile).path))
        }
        if outcome == .stopped {
            // --jobs, --threads and --device are not stored: the command names the ones given.
            var again = ["entrannas experiment --output \(output) --resume"]
            if jobs > 1 { again.append("--jobs \(jobs)") }
            if let threads { again.append("--threads \(threads)") }
            if device != "auto" { again.append("--device \(device)") }
            say("stopped; continue with: " + again.joined(separator: " "))
            throw ExitCode(StopSignal.exitCode)
        }
    }
}

extension ExperimentCommand {
    /// The units: searches per method and seed, their trainings, and the random cells.
    func makePlan() throws -> ExperimentPlan {
        func integers(_ list: String, _ flag: String) throws -> [UInt64] {
            try list.split(separator: ",").map { s in
                guard let v = UInt64(s.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(flag) takes comma-separated integers, got '\(list)'")
                }
                return v
            }
        }
        return ExperimentPlan(
            methods: try methods.split(separator: ",").map { name in
                guard let m = SearchMethod(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--methods: unknown method '\(name)'; choose from \(SearchMethod.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return m
            },
            seeds: try integers(seeds, "--seeds"), randomCells: randomCells,
            trainSeeds: try trainSeeds.map { try integers($0, "--train-seeds") })
    }

    /// The settings every unit shares, stored in experiment.json: a resume with others is refused.
    var settings: [String: String] {
        var settings = ["preset": preset.rawValue, "epochs": epochs.map(String.init) ?? "preset", "dataset": dataset,
                        "train_epochs": "\(trainEpochs)", "train_limit": "\(trainLimit)", "train_layers": "\(trainLayers)",
                        "train_channels": "\(trainChannels)"]
        // Only when given, so experiments from before the option still resume.
        if !extraSearchFlags.isEmpty { settings["search_options"] = extraSearchFlags.joined(separator: " ") }
        return settings
    }
}

extension ExperimentCommand {
    /// Flags every unit's search gets from the experiment itself, so `--search-options` may not set them.
    static let flagsSetByTheExperiment: Set<String> = ["--method", "--preset", "--seed", "--dataset", "--data", "--output",
                                                       "--resume", "--epochs", "--device", "--threads", "--profile",
                                                       "--help", "-h"]
    /// Flags that would change the searches but not the random cells and trainings they are
    /// compared with (the random cells' space, the trainings' layout and images).
    static let flagsTheComparisonWouldNotFollow: Set<String> = ["--primitives", "--steps", "--memory-format", "--image-size",
                                                                "--image-channels", "--unreadable", "--val-portion"]

    /// `--search-options`, split at white space (no quoting: a value cannot hold a space).
    var extraSearchFlags: [String] { searchOptions.split(whereSeparator: \.isWhitespace).map(String.init) }

    /// The flags (after `train`) of a training unit: the experiment's training protocol.
    func trainFlags(genotype: String, seed: UInt64, output: String) -> [String] {
        // Numbers joined with '=': a negative one would otherwise read as a flag of its own.
        var flags = ["--genotype", genotype, "--preset", "quick", "--epochs=\(trainEpochs)", "--limit=\(trainLimit)",
                     "--layers=\(trainLayers)", "--init-channels=\(trainChannels)", "--seed=\(seed)",
                     "--dataset", dataset, "--output", output]
        if let data { flags += ["--data", data] }
        return flags
    }

    /// Builds a training unit's settings now, as the unit will, so a protocol that cannot
    /// train fails before the first search has spent its hours (and before experiment.json
    /// keeps it, which a resume could not change).
    func validateTrainingProtocol() throws {
        do {
            _ = try TrainCommand.parse(trainFlags(genotype: "DARTS_V2", seed: 1, output: "unused")).checkedNewConfiguration()
        } catch {
            let reason = TrainCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw ValidationError("the training protocol (--train-epochs, --train-limit, --train-layers, --train-channels): \(reason)")
        }
    }

    /// What every search of `method` is given, whatever its seed and folder: checked up front by
    /// `validateSearchOptions`, then run by each search unit.
    func searchFlags(_ method: SearchMethod) -> [String] {
        var flags = ["--method", method.rawValue, "--preset", preset.rawValue, "--dataset", dataset]
        if let epochs { flags += ["--epochs=\(epochs)"] }
        if let data { flags += ["--data", data] }
        return flags + extraSearchFlags
    }

    /// Refuses the flags above, then builds every search's settings once now (with or without
    /// extra flags), as the search will (its command line, search space and hyperparameters, on
    /// the dataset's shape), so a misspelt flag or a value out of range fails here, before the
    /// experiment's folder exists.
    func validateSearchOptions(methods: [SearchMethod]) throws {
        let extra = extraSearchFlags
        for flag in extra.map({ String($0.split(separator: "=", maxSplits: 1).first ?? "") }) {
            if Self.flagsSetByTheExperiment.contains(flag) {
                throw ValidationError("--search-options: \(flag) is set by the experiment itself; use the experiment's own option")
            }
            if Self.flagsTheComparisonWouldNotFollow.contains(flag) {
                throw ValidationError("--search-options: \(flag) would change the searches but not the random cells and trainings they are compared with")
            }
        }
        // Named by what set them: the extra flags, or the experiment's own search flags.
        let source = extra.isEmpty ? "the searches (--preset, --epochs, --dataset)" : "--search-options '\(searchOptions)'"
        var train: Dataset? = nil
        for method in methods {
            let search: SearchCommand
            do {
                search = try SearchCommand.parse(searchFlags(method))
            } catch {
                let reason = SearchCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                throw ValidationError("\(source): \(reason)")
            }
            func named(_ check: () throws -> Void) throws {
                do { try check() } catch {
                    throw ValidationError("\(source) with --method \(method.rawValue): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
                }
            }
            try named { try search.options.checkWithoutData() }
            let data = try train ?? search.options.loadTrainingSet().data
            train = data
            try named {
                _ = try search.options.spaceConfig(for: data)
                try search.options.hyperparameters(for: data).validate()
            }
        }
    }
}

/// Prints and flushes, so the experiment's lines keep their place among its units' output.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The latest progress-bar state (a segment with an ETA; updates end in a carriage return) a
/// child wrote to its output file, else its last line, read from the file's last 4 KiB and cut
/// to 160 characters; nil when there is none yet.
private func lastOutputLine(_ url: URL) -> String? {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
    defer { try? handle.close() }
    guard let end = try? handle.seekToEnd() else { return nil }
    try? handle.seek(toOffset: end > 4096 ? end - 4096 : 0)
    guard let data = try? handle.readToEnd() else { return nil }
    let lines = String(decoding: data, as: UTF8.self)
        .split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
    return (lines.last { $0.contains("ETA") } ?? lines.last).map { String($0.prefix(160)) }
}

/// Runs each unit as a child `entrannas` process and reads its files into a `UnitResult`.
struct UnitProcesses {
    let command: ExperimentCommand
    /// The unit processes running now (several with --jobs).
    let running = RunningChildren()
    /// With several jobs and `--device auto` or `cuda` on a machine with several GPUs, each unit
    /// gets a GPU of its own while one is free; nil otherwise (every unit gets `--device` as given).
    let gpus: GPUSlots?

    init(command: ExperimentCommand) {
        self.command = command
        let spreadable = ["auto", "cuda", "gpu"].contains(command.device.lowercased())
        gpus = command.jobs > 1 && spreadable && Torch.cudaDeviceCount > 1 ? GPUSlots(count: Torch.cudaDeviceCount) : nil
    }

    /// Units run in process groups of their own, so Ctrl-C, SIGTERM or SIGHUP reach this process
    /// alone: from then on no unit starts, and the signal goes on to the running ones.
    func forwardSignals() {
        ForwardedSignals.install()
        Thread.detachNewThread {
            while true {
                let sig = ForwardedSignals.take()
                if sig != 0 {
                    StopSignal.shared.request(sig == SIGTERM ? "SIGTERM" : "SIGINT")
                    running.signalAll(sig)
                }
                usleep(50_000)
            }
        }
    }

    /// With several jobs the units' progress bars go to files; this prints each running unit's
    /// latest state every `seconds`.
    func showProgress(every seconds: UInt32) {
        Thread.detachNewThread {
            while true {
                sleep(seconds)
                for file in running.outputs {
                    if let line = lastOutputLine(file) { say("  \(file.deletingLastPathComponent().lastPathComponent): \(line)") }
                }
            }
        }
    }

    /// This program's path, resolved once: each unit starts whatever binary is there then, as a
    /// user calling `entrannas` would (a rebuilt binary serves the units still to come).
    static let executable: String = {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }()

    func run(_ unit: ExperimentUnit, in folder: RunDirectory, previous: [UnitResult]) throws -> UnitResult? {
        switch unit.kind {
        case .search:
            var args = ["search"] + command.searchFlags(unit.method!) + ["--seed", "\(unit.seed)", "--output", folder.path]
            if folder.hasCheckpoint { args.append("--resume") } else { try folder.clearRunWithoutCheckpoint() }
            guard let cost = try spawn(args, folder: folder) else { return nil }
            return try UnitResult.search(unit, folder: folder, cost: cost.includingCheckpoint(folder.checkpoint))
        case .train:
            let search = ExperimentUnit(kind: .search, method: unit.method, seed: unit.seed)
            guard previous.contains(where: { $0.unit == search }) else {
                throw RunError("\(unit.name) needs the result of \(search.name), which is missing")
            }
            let genotype = folder.url.deletingLastPathComponent().appendingPathComponent(search.name).appendingPathComponent("genotype.json")
            return try train(unit, genotypeFile: genotype.path, folder: folder)
        case .randomDarts, .randomDST:
            let genotypeFile = folder.file("random-genotype.json")
            if !FileManager.default.fileExists(atPath: genotypeFile.path) {
                let genotype = try randomGenotype(unit, previous: previous)
                try AtomicFile.write(genotype.jsonString() + "\n", to: genotypeFile)
            }
            return try train(unit, genotypeFile: genotypeFile.path, folder: folder)
        }
    }

    /// Random cells draw from the space the searches used (EnTranNAS-DST's has no `none`).
    private func randomGenotype(_ unit: ExperimentUnit, previous: [UnitResult]) throws -> Genotype {
        let ops = Primitive.darts.filter { $0 != .none }
        if unit.kind == .randomDarts { return Genotype.random(primitives: ops, seed: unit.seed) }
        let dst = previous.filter { $0.unit.kind == .search && $0.unit.method == .entrannasDST }
        if unit.trainSeed != nil {
            // Node by node: random DST cell k copies the in-degrees of DST search k (cycling
            // through the searches in seed order), so its dense and sparse nodes sit where a
            // searched cell has them.
            let searched = try dst.sorted { $0.unit.seed < $1.unit.seed }.map { try Genotype(dartsText: $0.genotype) }
            guard !searched.isEmpty else {
                throw RunError("\(unit.name) matches the in-degrees of the entrannas-dst searches, but none has finished")
            }
            let model = searched[Int((unit.seed - 1) % UInt64(searched.count))]
            return Genotype.random(primitives: ops, inDegrees: (model.inDegrees(.normal), model.inDegrees(.reduce)), seed: unit.seed)
        }
        let normal = dst.compactMap(\.meanInDegreeNormal), reduce = dst.compactMap(\.meanInDegreeReduce)
        guard !normal.isEmpty, !reduce.isEmpty else {
            throw RunError("\(unit.name) matches the in-degree of the entrannas-dst searches, but none has finished")
        }
        return Genotype.random(primitives: ops, meanInDegree: (normal.reduce(0, +) / Double(normal.count),
                                                               reduce.reduce(0, +) / Double(reduce.count)), seed: unit.seed)
    }

    private func train(_ unit: ExperimentUnit, genotypeFile: String, folder: RunDirectory) throws -> UnitResult? {
        let run = RunDirectory(url: folder.url.appendingPathComponent("train"))
        var args: [String]
        if run.hasCheckpoint {
            args = ["train", "--output", run.path, "--resume"]
        } else {
            args = ["train"] + command.trainFlags(genotype: genotypeFile, seed: unit.trainingSeed, output: run.path)
            try run.clearRunWithoutCheckpoint()
        }
        if !FileManager.default.fileExists(atPath: run.model.path) {
            guard try spawn(args, folder: folder) != nil else { return nil }
        }
        return try UnitResult.training(unit, genotypeFile: URL(fileURLWithPath: genotypeFile), run: run,
                                       cost: try UnitCost.read(from: folder).includingCheckpoint(run.checkpoint))
    }

    /// Runs `entrannas ARGS`, its output going to the terminal (one job) or to the unit's
    /// console.txt (several); nil when it was stopped.
    private func spawn(_ args: [String], folder: RunDirectory) throws -> UnitCost? {
        if StopSignal.shared.isRequested { return nil }  // stopped while another unit finished
        var env = ProcessInfo.processInfo.environment
        if let threads = command.threads {
            env["ENTRANNAS_THREADS"] = "\(threads)"
        } else if command.jobs > 1 && env["ENTRANNAS_THREADS"] == nil {
            // The cores shared out between the units running at once, as `launch` does for ranks.
            env["ENTRANNAS_THREADS"] = "\(max(1, ProcessInfo.processInfo.activeProcessorCount / command.jobs))"
        }
        var device = command.device
        let gpu = gpus?.acquire()
        defer { if let gpu { gpus?.release(gpu) } }
        if let gpu { device = "cuda:\(gpu)" }
        let started = Date()
        let (status, peak, cpu) = try ChildProcess.run(executable: Self.executable, arguments: args + ["--device", device],
                                                       environment: env, output: command.jobs > 1 ? folder.file("console.txt") : nil,
                                                       running: running)
        let total = try UnitCost.add(seconds: Date().timeIntervalSince(started), peak: peak, cpuSeconds: cpu, in: folder)
        if status == 0 { return total }  // finished, even if a stop came meanwhile
        if status == StopSignal.exitCode || StopSignal.shared.isRequested { return nil }
        throw RunError("unit process `entrannas \(args.joined(separator: " "))` failed with exit status \(status); see \(folder.path)")
    }
}
