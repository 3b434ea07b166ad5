import Foundation
import Torch

/// Time and peak memory over every process a unit needed (a resumed unit adds up), kept in the
/// unit's attempts.json.
public struct UnitCost: Codable, Sendable {
    public var seconds = 0.0
    public var peak = 0
    public var cpuSeconds: Double? = 0
    /// The machines (`MachineDescription`) of the processes that reported here, in order of
    /// first use; nil in files written before they were kept.
    public var machines: [String]?

    public init() {}

    /// attempts.json in a unit's folder.
    public static func url(in folder: RunDirectory) -> URL { folder.file("attempts.json") }

    /// The unit's cost so far (none before its first process ended).
    public static func read(from folder: RunDirectory) throws -> UnitCost {
        let url = url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else { return UnitCost() }
        return try JSONFormat.decode(UnitCost.self, from: url, snakeCase: false)
    }

    /// Adds one process' wall time, peak memory, CPU time and machine, and writes attempts.json
    /// atomically.
    public static func add(seconds: Double, peak: Int, cpuSeconds: Double, machine: String = MachineDescription.current,
                           in folder: RunDirectory) throws -> UnitCost {
        var total = try read(from: folder)
        // Attempts reported before machines were recorded ran somewhere unknown.
        total.machines = MachineDescription.union(total.machines ?? (total.seconds > 0 ? [MachineDescription.notRecorded] : []), [machine])
        total.seconds += seconds
        total.peak = max(total.peak, peak)
        total.cpuSeconds = (total.cpuSeconds ?? 0) + cpuSeconds
        try AtomicFile.write(try JSONFormat.text(total, snakeCase: false), to: url(in: folder))
        return total
    }

    /// The cost with the CPU time of the run's checkpoint where that is larger, and its machines
    /// added: a process killed with its machine never reports its attempt here, but its
    /// checkpoints kept counting.
    public func includingCheckpoint(_ checkpoint: URL) -> UnitCost {
        guard let kept = try? Checkpoint.load(from: checkpoint) else { return self }  // none
        var cost = self
        if let cpu = kept.cpuSeconds { cost.cpuSeconds = max(cpuSeconds ?? 0, cpu) }
        if let earlier = kept.machines { cost.machines = MachineDescription.union(earlier, machines ?? []) }
        return cost
    }
}

extension UnitResult {
    /// A finished search unit read from its folder: genotype, consistency, weights and pruning.
    public static func search(_ unit: ExperimentUnit, folder: RunDirectory, cost: UnitCost) throws -> UnitResult {
        guard let search = try FinishedSearch.read(from: folder) else {
            throw RunError("\(folder.file("report.json").path) is missing: the search of \(unit.name) did not finish")
        }
        let genotype = search.genotype
        var result = UnitResult(unit: unit, seconds: cost.seconds, peakMemoryBytes: cost.peak, genotype: genotype.dartsText)
        (result.cpuSeconds, result.machines) = (cost.cpuSeconds, cost.machines)
        result.superNetAccuracy = search.report.superNetAccuracy
        result.derivedAccuracy = search.report.derivedAccuracy
        result.skipConnections = genotype.normal.joined().filter { $0.op == .skipConnect }.count
        result.meanInDegreeNormal = genotype.meanInDegree(.normal)
        result.meanInDegreeReduce = genotype.meanInDegree(.reduce)
        if let last = search.lastEpoch {
            let stats = [last.normalStatistics, last.reduceStatistics]
            result.meanMaxWeight = stats.map(\.meanMaxWeight).reduce(0, +) / 2
            result.genotypeAgreement = last.genotypeAgreement
            let pruned = stats.compactMap(\.prunedFraction)
            if !pruned.isEmpty { result.prunedFraction = pruned.reduce(0, +) / Double(pruned.count) }
        }
        return result
    }

    /// A finished training unit read from its folder (`run`): the final test accuracy, and the
    /// size of what was trained (a DST cell has far more ops than a DARTS one), counted by shape
    /// tracing on the training's own settings.
    public static func training(_ unit: ExperimentUnit, genotypeFile: URL, run: RunDirectory, cost: UnitCost) throws -> UnitResult {
        let genotype = try Genotype(json: String(contentsOf: genotypeFile, encoding: .utf8))
        var result = UnitResult(unit: unit, seconds: cost.seconds, peakMemoryBytes: cost.peak, genotype: genotype.dartsText)
        (result.cpuSeconds, result.machines) = (cost.cpuSeconds, cost.machines)
        guard let last = try MetricsLog.lastRecord(EpochRecord.self, in: run.metrics), last.epoch == last.epochs else {
            throw RunError("\(run.metrics.path) has no final test accuracy; the training did not finish")
        }
        result.testAccuracy = last.testTop1
        result.testImages = last.testImages
        result.meanInDegreeNormal = genotype.meanInDegree(.normal)
        result.meanInDegreeReduce = genotype.meanInDegree(.reduce)
        let config = try TrainingConfiguration(json: String(contentsOf: run.configuration, encoding: .utf8), source: run.configuration.path)
        let summary = try EvalNetwork(genotype: genotype, configuration: config.network)
            .summary(height: config.imageHeight, width: config.imageWidth)
        result.parameters = summary.parameters
        result.multiplyAdds = summary.multiplyAdds
        return result
    }
}
