import Foundation
import Torch

/// Methods x seeds under one search budget, every derived cell trained from scratch next to
/// random cells under one training protocol (docs/experiment.md). Each unit's result is written
/// as it finishes, so a stopped experiment continues with `resume` and never redoes a unit.
///
///     OUTPUT/experiment.json  units/NAME/ (the unit's own run folder + result.json)  results.md  results.json
///            best-genotype.txt (the best searched cell so far)
public final class Experiment {
    /// The experiment's folder: manifest, unit folders and results.
    public let directory: RunDirectory
    /// Methods, seeds and random cells, in run order.
    public let plan: ExperimentPlan
    /// Settings the units run with (search preset, training protocol, dataset); stored so a
    /// resume with other settings is refused rather than mixing two experiments.
    public let settings: [String: String]

    /// Runs one unit and returns what it measured; nil when it was stopped (it may resume).
    /// `previous` holds every result so far (a train unit reads its search's genotype).
    public typealias UnitRunner = (_ unit: ExperimentUnit, _ folder: RunDirectory, _ previous: [UnitResult]) throws -> UnitResult?

    /// Starts an experiment in `directory`, or with `resume` continues the one there; throws
    /// `RunError` when the plan or settings differ from the stored ones. `dataPath`, the dataset
    /// folder, is stored with a new experiment but not compared (a folder may move).
    public init(directory: RunDirectory, plan: ExperimentPlan, settings: [String: String], resume: Bool,
                dataPath: String? = nil) throws {
        try plan.validate()
        self.directory = directory
        self.plan = plan
        self.settings = settings
        let manifest = directory.file("experiment.json")
        let exists = FileManager.default.fileExists(atPath: manifest.path)
        if resume {
            guard exists else { throw RunError("\(directory.path) holds no experiment to resume (no experiment.json); run without --resume") }
            let stored = try Self.readManifest(manifest)
            if stored.plan != plan && !plan.grows(stored.plan) { throw RunError("--resume with other --methods, --seeds, --random-cells or --train-seeds than the experiment in \(directory.path); give the same ones, or none (`experiment --output DIR --resume` takes the stored ones); only --random-cells may grow") }
            if let key = stored.settings.keys.sorted().first(where: { stored.settings[$0] != settings[$0] }) ?? settings.keys.sorted().first(where: { stored.settings[$0] == nil }) {
                throw RunError("setting '\(key)' is \(settings[key] ?? "unset") here but \(stored.settings[key] ?? "unset") in \(directory.path); resume with the experiment's settings (\(Self.flag(key, stored.settings[key])))")
            }
            // More random cells: the finished units keep their names and cells (random cell k
            // depends on k only), so the plan grows in place.
            if stored.plan != plan { try writeJSON(Manifest(plan: plan, settings: stored.settings, dataPath: stored.dataPath), to: manifest) }
        } else {
            if exists {
                _ = try Self.readManifest(manifest)  // a damaged one is named, not sent to --resume
                throw RunError("\(directory.path) already holds an experiment; add --resume to continue it, or choose another --output")
            }
            try directory.prepare(resume: false)
            try writeJSON(Manifest(plan: plan, settings: settings, dataPath: dataPath), to: manifest)
        }
    }

    /// The experiment already in `directory`, with its stored plan and settings: to read its
    /// results or rewrite its summary (`entrannas report`), never to run it with other ones.
    public convenience init(opening directory: RunDirectory) throws {
        let manifest = directory.file("experiment.json")
        guard FileManager.default.fileExists(atPath: manifest.path) else {
            throw RunError("\(directory.path) has no experiment.json: not an experiment folder")
        }
        let stored = try Self.readManifest(manifest)
        do { try stored.plan.validate() } catch let error as RunError {
            throw RunError("\(directory.path)/experiment.json holds a plan that cannot be: \(error.message)")
        }
        try self.init(directory: directory, plan: stored.plan, settings: stored.settings, resume: true)
    }

    /// The plan and settings stored in `directory` (nil where it holds no experiment.json), so a
    /// resume can take them instead of asking for the flags that made them.
    public static func stored(in directory: RunDirectory) throws
        -> (plan: ExperimentPlan, settings: [String: String], dataPath: String?)? {
        let manifest = directory.file("experiment.json")
        guard FileManager.default.fileExists(atPath: manifest.path) else { return nil }
        let stored = try readManifest(manifest)
        return (stored.plan, stored.settings, stored.dataPath)
    }

    private struct Manifest: Codable {
        var plan: ExperimentPlan
        var settings: [String: String]
        /// Absent in experiments started before it was stored.
        var dataPath: String?
    }

    /// The stored plan and settings. Written atomically, a damaged file was damaged from outside:
    /// neither a resume nor a new experiment over its units can go on, and the error says so
    /// (not "add --resume"); a file the system will not give names the system's reason.
    private static func readManifest(_ url: URL) throws -> Manifest {
        let data = try JSONFormat.read(url)
        do { return try JSONFormat.decoder(snakeCase: false).decode(Manifest.self, from: data) } catch {
            throw RunError("\(url.path) is damaged (not an experiment's JSON: \(JSONFormat.describe(error))); it holds the "
                           + "experiment's plan and settings: restore it from a copy, or choose another --output")
        }
    }

    /// The run folder of one unit: `units/NAME`.
    public func folder(of unit: ExperimentUnit) -> RunDirectory {
        RunDirectory(url: directory.url.appendingPathComponent("units").appendingPathComponent(unit.name))
    }

    /// The results of the units already finished, in plan order. A result.json that does not
    /// decode, or names another unit than its folder's, is no result.
    public func finishedResults() -> [UnitResult] {
        plan.units.compactMap { unit in
            guard let data = try? Data(contentsOf: folder(of: unit).file("result.json")),
                  let result = try? JSONFormat.decoder(snakeCase: false).decode(UnitResult.self, from: data) else { return nil }
            return result.unit == unit ? result : nil
        }
    }

    /// Whether `run` did every unit or was stopped part-way (it may resume).
    public enum Outcome: Equatable { case finished, stopped }

    /// Runs every unit without a result, rewriting results.md and results.json after each one.
    /// Up to `jobs` units run at once, each on a thread of its own (the runner must then be safe
    /// to call concurrently; with one job it runs on the calling thread). A unit starts once the
    /// units it depends on have finished (`ExperimentPlan.dependencies`), otherwise in plan
    /// order. Once a unit is stopped no new one starts; when one fails, `stopOthers` asks the
    /// running ones to stop, and the error is rethrown after they have.
    public func run(_ runner: @escaping UnitRunner, jobs: Int = 1, stopOthers: () -> Void = {},
                    progress: (String) -> Void = { _ in }) throws -> Outcome {
        var results = finishedResults()
        let units = plan.units
        let position = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1.name, $0 + 1) })
        var pending = units.filter { unit in !results.contains { $0.unit == unit } }
        var running = 0
        var stopped = false
        var failure: Error?
        let done = Completions()
        let shared = UncheckedSendable(runner)
        while true {
            while !stopped && failure == nil && running < max(1, jobs),
                  let next = pending.firstIndex(where: { plan.dependencies(of: $0).allSatisfy { d in results.contains { $0.unit == d } } }) {
                let unit = pending.remove(at: next)
                let left = ExperimentETA.secondsLeft(units: units, finished: results, jobs: jobs)
                    .map { " (about \(ProgressBar.formatDuration($0)) left for \(units.count - results.count) units, at the finished units' times)" }
                progress("[\(position[unit.name]!)/\(units.count)] \(unit.name)" + (left ?? ""))
                let folder = folder(of: unit), previous = results
                let work = UncheckedSendable({
                    Result<UnitResult?, Error> {
                        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
                        return try shared.value(unit, folder, previous)
                    }
                })
                running += 1
                if jobs <= 1 { done.post(unit, work.value()) } else { Thread.detachNewThread { done.post(unit, work.value()) } }
            }
            if running == 0 {
                if !stopped && failure == nil, let stuck = pending.first {
                    failure = RunError("\(stuck.name) cannot start: it needs \(plan.dependencies(of: stuck).map(\.name).joined(separator: ", ")), which the plan does not finish")
                }
                break
            }
            let (unit, outcome) = done.take()
            running -= 1
            do {
                switch outcome {
                case .success(let result?):
                    try writeJSON(result, to: folder(of: unit).file("result.json"))
                    results.append(result)
                    try writeSummary(results)
                    if jobs > 1 { progress("[\(position[unit.name]!)/\(units.count)] \(unit.name) finished (\(results.count) of \(units.count) units done)") }
                case .success(nil):
                    stopped = true
                case .failure(let error):
                    throw error
                }
            } catch {
                if failure == nil {
                    failure = error
                    if running > 0 { stopOthers() }
                }
            }
        }
        try writeSummary(results)
        if let failure { throw failure }
        return pending.isEmpty && !stopped ? .finished : .stopped
    }

    /// The command-line flag that restores a stored setting: its key with dashes ("train_epochs"
    /// is `--train-epochs`), "without" where the experiment had none (or its preset's epochs), so
    /// a resume refused after a default changed says what to type.
    static func flag(_ key: String, _ value: String?) -> String {
        let name = "--" + key.replacingOccurrences(of: "_", with: "-")
        guard let value, !(key == "epochs" && value == "preset") else { return "without \(name)" }
        return value.contains(" ") || value.isEmpty ? "\(name) \"\(value)\"" : "\(name) \(value)"
    }

    /// The file that holds the best searched cell's genotype (`ExperimentSummary.bestSearched`).
    public static let bestGenotypeFile = "best-genotype.txt"

    /// results.json (every unit's result plus the per-method summary), results.md, and the
    /// best searched cell's genotype once one is trained (none before: a stale file would
    /// name a cell the results no longer pick).
    public func writeSummary(_ results: [UnitResult]) throws {
        let summary = ExperimentSummary(plan: plan, settings: settings, results: results)
        let statistics = summary.permutationTests  // run once for both files
        try AtomicFile.write(summary.json(statistics), to: directory.file("results.json"))
        try AtomicFile.write(summary.markdown(statistics), to: directory.file("results.md"))
        let best = directory.file(Self.bestGenotypeFile)
        if let cell = summary.bestSearched {
            try AtomicFile.write(cell.genotype + "\n", to: best)
        } else if FileManager.default.fileExists(atPath: best.path) {
            try FileManager.default.removeItem(at: best)
        }
        try HTMLReport.write(for: directory.url)
    }
}

/// experiment.json and each unit's result.json: sorted, indented JSON, written atomically.
private func writeJSON<Value: Encodable>(_ value: Value, to file: URL) throws {
    try AtomicFile.write(try JSONFormat.text(value, snakeCase: false, pretty: true) + "\n", to: file)
}

/// Finished units handed from the threads that ran them to the loop that records them.
private final class Completions: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(ExperimentUnit, Result<UnitResult?, Error>)] = []

    func post(_ unit: ExperimentUnit, _ outcome: Result<UnitResult?, Error>) {
        condition.lock()
        queue.append((unit, outcome))
        condition.signal()
        condition.unlock()
    }

    /// The oldest completion, waiting for one if there is none yet.
    func take() -> (ExperimentUnit, Result<UnitResult?, Error>) {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        return queue.removeFirst()
    }
}

/// A value handed to another thread whose safety the caller vouches for (the unit runner,
/// which `run` documents must be safe to call concurrently when `jobs` > 1).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
