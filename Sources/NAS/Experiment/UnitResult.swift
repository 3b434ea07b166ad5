import Foundation

/// What a finished unit measured; kept as `units/NAME/result.json` the moment it finishes.
public struct UnitResult: Codable, Equatable, Sendable {
    /// The unit that produced this result.
    public var unit: ExperimentUnit
    /// Wall-clock seconds of the unit's process.
    public var seconds: Double
    /// CPU seconds (user + system) of the unit's processes: with one thread, its time on an idle
    /// core, whatever else ran beside it.
    public var cpuSeconds: Double?
    /// The machines the unit's processes ran on (`MachineDescription`); CPU times compare only
    /// within one. Nil in results written before they were recorded.
    public var machines: [String]?
    /// Peak resident memory of the unit's process, in bytes.
    public var peakMemoryBytes: Int?
    /// DARTS text of the searched or trained genotype.
    public var genotype: String
    /// Search units: the consistency report and the derived cells' shape.
    public var superNetAccuracy: Double?
    /// Validation accuracy (0-1) of the derived network with the inherited weights.
    public var derivedAccuracy: Double?
    /// `skip_connect` ops in the derived normal cell.
    public var skipConnections: Int?
    /// Mean over both cell types of `ArchitectureStatistics.meanMaxWeight` at the last epoch.
    public var meanMaxWeight: Double?
    /// EnTranNAS-DST: mean over both cell types of the pruned share of candidates.
    public var prunedFraction: Double?
    /// The last epoch's derived cells against the epoch before's (`Genotype.agreement`, 1 =
    /// unchanged): nil for searches whose metrics predate it.
    public var genotypeAgreement: Double?
    /// Mean inputs per intermediate node of the normal cell.
    public var meanInDegreeNormal: Double?
    /// Mean inputs per intermediate node of the reduction cell.
    public var meanInDegreeReduce: Double?
    /// Training units: top-1 accuracy (percent) on the whole test set, and parameters.
    public var testAccuracy: Double?
    /// Test images the accuracy was measured on.
    public var testImages: Int?
    /// Training units: parameters of the trained network, auxiliary head excluded.
    public var parameters: Int?
    /// Training units: multiply-adds of one image's forward pass (auxiliary head excluded).
    public var multiplyAdds: Int?

    /// A result with the fields every unit has; the others are set by kind.
    public init(unit: ExperimentUnit, seconds: Double, peakMemoryBytes: Int?, genotype: String) {
        self.unit = unit
        self.seconds = seconds
        self.peakMemoryBytes = peakMemoryBytes
        self.genotype = genotype
    }

    /// Mean in-degree over both cell types.
    public var meanInDegree: Double? {
        meanInDegreeNormal.flatMap { n in meanInDegreeReduce.map { (n + $0) / 2 } }
    }

    /// Consistency gap in points (super-net minus derived net, both with BN re-estimated).
    public var gap: Double? {
        guard let s = superNetAccuracy, let d = derivedAccuracy else { return nil }
        return 100 * (s - d)
    }
}
