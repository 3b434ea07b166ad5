import Foundation
import Torch

/// Methods x seeds under one search budget, every derived cell trained from scratch next to
/// random cells under one training protocol (README "Experiment"). Each unit's result is written
/// as it finishes, so a stopped experiment continues with `resume` and never redoes a unit.
///
///     OUTPUT/experiment.json  units/NAME/ (the unit's own run folder + result.json)  results.md  results.json
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
    /// `RunError` when the plan or settings differ from the stored ones.
    public init(directory: RunDirectory, plan: ExperimentPlan, settings: [String: String], resume: Bool) throws {
        try plan.validate()
        self.directory = directory
        self.plan = plan
        self.settings = settings
        let manifest = directory.file("experiment.json")
        if resume {
            guard let data = try? Data(contentsOf: manifest),
                  let stored = try? JSONDecoder().decode(Manifest.self, from: data) else {
                throw RunError("\(directory.path) holds no experiment to resume (experiment.json missing or unreadable); run without --resume")
            }
            if stored.plan != plan { throw RunError("--resume with other --methods, --seeds or --random-cells than the experiment in \(directory.path); give the same ones") }
            if let key = stored.settings.keys.sorted().first(where: { stored.settings[$0] != settings[$0] }) ?? settings.keys.sorted().first(where: { stored.settings[$0] == nil }) {
                throw RunError("setting '\(key)' is \(settings[key] ?? "unset") here but \(stored.settings[key] ?? "unset") in \(directory.path); resume with the experiment's settings")
            }
        } else {
            if FileManager.default.fileExists(atPath: manifest.path) {
                throw RunError("\(directory.path) already holds an experiment; add --resume to continue it, or choose another --output")
            }
            try directory.prepare(resume: false)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(String(decoding: try encoder.encode(Manifest(plan: plan, settings: settings)), as: UTF8.self) + "\n",
                                 to: manifest)
        }
    }

    private struct Manifest: Codable {
        var plan: ExperimentPlan
        var settings: [String: String]
    }

    /// The run folder of one unit: `units/NAME`.
    public func folder(of unit: ExperimentUnit) -> RunDirectory {
        RunDirectory(url: directory.url.appendingPathComponent("units").appendingPathComponent(unit.name))
    }

    /// The results of the units already finished, in plan order.
    public func finishedResults() -> [UnitResult] {
        plan.units.compactMap { unit in
            guard let data = try? Data(contentsOf: folder(of: unit).file("result.json")) else { return nil }
            return try? JSONDecoder().decode(UnitResult.self, from: data)
        }
    }

    /// Whether `run` did every unit or was stopped part-way (it may resume).
    public enum Outcome: Equatable { case finished, stopped }

    /// Runs every unit without a result, in plan order, rewriting results.md and results.json
    /// after each one.
    public func run(_ runner: UnitRunner, progress: (String) -> Void = { _ in }) throws -> Outcome {
        var results = finishedResults()
        let units = plan.units
        for (i, unit) in units.enumerated() {
            if results.contains(where: { $0.unit == unit }) { continue }
            progress("[\(i + 1)/\(units.count)] \(unit.name)")
            let folder = folder(of: unit)
            try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
            guard let result = try runner(unit, folder, results) else {
                try writeSummary(results)
                return .stopped
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n", to: folder.file("result.json"))
            results.append(result)
            try writeSummary(results)
        }
        try writeSummary(results)
        return .finished
    }

    /// results.json (every unit's result plus the per-method summary) and results.md.
    public func writeSummary(_ results: [UnitResult]) throws {
        let summary = ExperimentSummary(plan: plan, settings: settings, results: results)
        try AtomicFile.write(summary.json, to: directory.file("results.json"))
        try AtomicFile.write(summary.markdown, to: directory.file("results.md"))
        try HTMLReport.write(for: directory.url)
    }
}
