import Datasets
import Foundation
import Torch

/// The paper's central claim made visible: validation accuracy of the super-net next to that of
/// the derived network with the inherited weights. Both get batch-norm statistics re-estimated
/// on the same training batches first (a Transit-cell's unused ops, and any short search, leave
/// stale running statistics), so the gap measures the architectures, not the statistics.
public struct ConsistencyReport: Codable, Sendable {
    /// The search method's name ("entrannas", "darts", ...).
    public var method: String
    /// Validation accuracy of the super-net, 0-1.
    public var superNetAccuracy: Double
    /// Validation cross-entropy of the super-net.
    public var superNetLoss: Double
    /// Validation accuracy of the derived network with the inherited weights, 0-1.
    public var derivedAccuracy: Double
    /// Validation cross-entropy of the derived network.
    public var derivedLoss: Double
    /// The derived genotype, as DARTS text.
    public var genotype: String
    /// The derived network's accuracy with the search's batch-norm statistics, not re-estimated:
    /// how much of the gap is statistics (nil in reports written before it was measured).
    public var derivedAccuracySearchStatistics: Double?
    /// Where the gap comes from (EnTranNAS methods): the super-net's accuracy with one
    /// Engine-cell at a time run as its derived cell, batch norm re-estimated.
    public var engineCellAblation: [EngineCellAblation]?

    /// One Engine-cell swapped for its derived cell.
    public struct EngineCellAblation: Codable, Sendable, Equatable {
        /// The cell's index in the network.
        public var cell: Int
        /// Whether it is a reduction cell.
        public var reduction: Bool
        /// The super-net's accuracy with this cell derived, 0-1.
        public var accuracy: Double
    }

    /// Super-net minus derived accuracy, 0-1 (positive when deriving loses accuracy).
    public var gap: Double { superNetAccuracy - derivedAccuracy }

    /// The report as printed: both accuracies and losses, and the gap in points.
    public var table: String {
        func pct(_ x: Double) -> String { String(format: "%6.2f%%", 100 * x) }
        return """
        consistency (\(method)), validation split:
          super-net                         accuracy \(pct(superNetAccuracy))  loss \(String(format: "%.4f", superNetLoss))
          derived net, inherited weights    accuracy \(pct(derivedAccuracy))  loss \(String(format: "%.4f", derivedLoss))
          gap (super-net - derived)         \(String(format: "%+.2f", 100 * gap)) points
        """ + details
    }

    /// The diagnostics, when measured: the derived net without re-estimated statistics, and the
    /// super-net with each Engine-cell derived.
    private var details: String {
        func pct(_ x: Double) -> String { String(format: "%6.2f%%", 100 * x) }
        var lines: [String] = []
        if let d = derivedAccuracySearchStatistics {
            lines.append("  derived net, search's BN stats    accuracy \(pct(d))")
        }
        for a in engineCellAblation ?? [] {
            let name = "super-net, cell \(a.cell) (\(a.reduction ? "reduce" : "normal")) derived"
            lines.append("  " + name + String(repeating: " ", count: max(2, 34 - name.count)) + "accuracy \(pct(a.accuracy))")
        }
        return lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n")
    }
}

extension Searcher {
    /// Measures both networks. The super-net's batch-norm buffers are restored afterwards, so
    /// the search state is unchanged.
    /// With `diagnostics` it also measures the derived network with the search's statistics and,
    /// when some cells are Transit-cells, the super-net with each Engine-cell derived in turn.
    public func consistencyReport(diagnostics: Bool = false) throws -> ConsistencyReport {
        try network.preservingBuffers {
            defer {
                network.runsDerivedOnly = false
                network.derivedOnlyCells = []
            }
            var searchStatistics: Double?
            if diagnostics {
                network.runsDerivedOnly = true
                searchStatistics = try evaluate(network).accuracy
                network.runsDerivedOnly = false
            }
            try recalibrateBatchNorm()
            let superNet = try evaluate(network)
            var ablation: [ConsistencyReport.EngineCellAblation]?
            let config = network.config
            if diagnostics && config.engineCells.count < config.layers {
                ablation = try config.engineCells.sorted().map { cell in
                    network.derivedOnlyCells = [cell]
                    defer { network.derivedOnlyCells = [] }
                    try recalibrateBatchNorm()
                    return .init(cell: cell, reduction: config.isReduction(cell), accuracy: try evaluate(network).accuracy)
                }
            }
            network.runsDerivedOnly = true
            try recalibrateBatchNorm()
            let derived = try evaluate(network)
            var report = ConsistencyReport(method: config.method.rawValue, superNetAccuracy: superNet.accuracy,
                                           superNetLoss: superNet.loss, derivedAccuracy: derived.accuracy,
                                           derivedLoss: derived.loss, genotype: network.genotype.dartsText)
            report.derivedAccuracySearchStatistics = searchStatistics
            report.engineCellAblation = ablation
            return report
        }
    }

    /// Re-estimates every batch-norm's running statistics as an exact average over a few
    /// training batches (momentum 1/(n+1)), in training mode without gradients.
    func recalibrateBatchNorm() throws {
        let norms = network.modules().compactMap { $0 as? BatchNorm2d }
        let momenta = norms.map(\.momentum)
        for bn in norms { try bn.resetRunningStats() }
        network.train()
        defer { for (bn, m) in zip(norms, momenta) { bn.momentum = m } }
        try withNoGrad {
            var n = 0
            for host in try trainLoader.epoch(0) {
                let batch = try Batch(host, on: device, format: memoryFormat)
                for bn in norms { bn.momentum = 1 / Double(n + 1) }
                _ = try network(batch.images)
                n += 1
                if n >= hyper.bnRecalibrationBatches { break }
            }
        }
    }
}
