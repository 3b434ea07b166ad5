import Foundation

/// One line of the search log and of metrics.jsonl.
public struct SearchEpochSummary: Codable, Sendable {
    /// The epoch just finished, from 1.
    public var epoch: Int
    /// Weight learning rate used in the epoch.
    public var learningRate: Double
    /// Mean training cross-entropy over the epoch's weight steps.
    public var trainLoss: Double
    /// Training accuracy over the epoch's weight steps, 0-1.
    public var trainAccuracy: Double
    /// Cross-entropy of the super-net on the architecture split.
    public var validLoss: Double
    /// Accuracy of the super-net on the architecture split, 0-1.
    public var validAccuracy: Double
    /// The derived genotype at the end of the epoch, as DARTS text.
    public var genotype: String
    /// skip_connect count in the derived normal cell: the known collapse of DARTS-style search.
    public var skipConnections: Int
    /// softmax(alpha) per cell type, [edges][ops]; q-hat under DST.
    public var normalWeights: [[Float]]
    /// Like `normalWeights`, for the reduction cell.
    public var reduceWeights: [[Float]]
    /// EnTranNAS-DST thresholds t_j = sigmoid(beta_j) per node, keyed "normal" and "reduce"; nil
    /// for other methods.
    public var thresholds: [String: [Float]]?
    /// Separation (and, under DST, sparsity) of each cell type's weights at the end of the epoch.
    public var normalStatistics: ArchitectureStatistics
    /// Like `normalStatistics`, for the reduction cell.
    public var reduceStatistics: ArchitectureStatistics
    /// EnTranNAS-DST: nodes (of both cell types) whose alphas and threshold got exactly zero
    /// gradient, averaged over the epoch's architecture steps; nil without DST or arch steps.
    public var zeroGradientNodes: Double?
    /// False during the warm-up epochs, when only the weights train.
    public var architectureUpdated: Bool
    /// Wall-clock seconds of the epoch, evaluation included.
    public var seconds: Double
    /// Weight steps in the epoch (nil in metrics written before this field existed).
    public var steps: Int?
    /// With `--gap-every`: the super-net's accuracy on the architecture split after batch norm is
    /// re-estimated, 0-1, as the end-of-search consistency report measures it; nil otherwise.
    public var superNetAccuracy: Double?
    /// With `--gap-every`: the derived network's accuracy with inherited weights, 0-1.
    public var derivedAccuracy: Double?
    /// The derived genotype's agreement with the epoch before's (`Genotype.agreement`, 1 =
    /// unchanged): whether the cell still changes. Nil unless both epochs updated the
    /// architecture (so nil in warm-up and in the first epoch after it), and in metrics written
    /// before bb39eeb.
    public var genotypeAgreement: Double?

    /// The consistency gap in points, when it was measured this epoch.
    public var gap: Double? {
        guard let s = superNetAccuracy, let d = derivedAccuracy else { return nil }
        return 100 * (s - d)
    }
}

extension SearchEpochSummary {
    /// The epoch as printed: losses and accuracies, separation against uniform weights, DST
    /// sparsity, the genotype and the strongest op per edge. `detailed` adds every weight (log.txt).
    public func text(config: SearchSpaceConfig, epochs: Int, detailed: Bool) -> String {
        let k = config.primitives.count
        var line = String(format: "epoch %d/%d lr %.4g | train loss %.4f acc %.2f%% | valid loss %.4f acc %.2f%% | skip %d | %.1fs%@",
                          epoch, epochs, learningRate, trainLoss, 100 * trainAccuracy, validLoss, 100 * validAccuracy,
                          skipConnections, seconds, architectureUpdated ? "" : " (warm-up)")
        if let gap, let s = superNetAccuracy, let d = derivedAccuracy {
            line += String(format: "\n  consistency: super-net %.2f%%, derived %.2f%%, gap %.1f points", 100 * s, 100 * d, gap)
        }
        line += "\n  separation: " + Self.separation("normal", normalStatistics) + "; " + Self.separation("reduce", reduceStatistics)
            + String(format: " (uniform: max %.3f, H %.2f)", 1 / Double(k), Foundation.log(Double(k)))
        if let z = zeroGradientNodes { line += String(format: "; nodes with zero arch gradient %.1f of %d", z, 2 * config.steps) }
        if let a = genotypeAgreement { line += String(format: "\n  derived cell against epoch %d's: agreement %.2f (1 = unchanged)", epoch - 1, a) }
        line += "\n  genotype: \(genotype)"
        line += "\n  strongest op per edge (normal): " + strongestOps(normalWeights, primitives: config.primitives)
        line += "\n  strongest op per edge (reduce): " + strongestOps(reduceWeights, primitives: config.primitives)
        if let t = thresholds, let normal = t["normal"], let reduce = t["reduce"] {
            line += "\n  thresholds t_j: normal \(normal.map { String(format: "%.3f", $0) }) reduce \(reduce.map { String(format: "%.3f", $0) })"
        }
        guard detailed else { return line }
        return line + "\n  alphas normal (rows = edges, columns = \(config.primitives.map(\.rawValue).joined(separator: " "))):\n"
            + Self.matrix(normalWeights) + "\n  alphas reduce:\n" + Self.matrix(reduceWeights)
    }

    /// "normal max .412 H 1.63 [pruned 55% in-degree 3.2]": separation and DST sparsity of one cell type.
    private static func separation(_ name: String, _ a: ArchitectureStatistics) -> String {
        var text = String(format: "%@ max %.3f H %.2f", name, a.meanMaxWeight, a.meanEntropy)
        if let pruned = a.prunedFraction { text += String(format: " pruned %.0f%% in-degree %.2f", 100 * pruned, a.meanInDegree) }
        return text
    }

    private static func matrix(_ m: [[Float]]) -> String {
        m.map { "    " + $0.map { String(format: "%.3f", $0) }.joined(separator: " ") }.joined(separator: "\n")
    }
}

/// "e0 sep_conv_3x3 0.21, e1 ...": the strongest op of every edge of a weight matrix.
public func strongestOps(_ m: [[Float]], primitives: [Primitive]) -> String {
    m.enumerated().map { e, row in
        let k = row.indices.max { row[$0] < row[$1] } ?? 0
        return "e\(e) \(k < primitives.count ? primitives[k].rawValue : "?") \(String(format: "%.2f", row[k]))"
    }.joined(separator: ", ")
}
