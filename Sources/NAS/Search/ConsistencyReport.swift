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
        """
    }
}

extension Searcher {
    /// Measures both networks. The super-net's batch-norm buffers are restored afterwards, so
    /// the search state is unchanged.
    public func consistencyReport() throws -> ConsistencyReport {
        try network.preservingBuffers {
            defer { network.runsDerivedOnly = false }
            try recalibrateBatchNorm()
            let superNet = try evaluate(network)
            network.runsDerivedOnly = true
            try recalibrateBatchNorm()
            let derived = try evaluate(network)
            return ConsistencyReport(method: network.config.method.rawValue, superNetAccuracy: superNet.accuracy,
                                 superNetLoss: superNet.loss, derivedAccuracy: derived.accuracy, derivedLoss: derived.loss,
                                 genotype: network.genotype.dartsText)
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
