import Foundation

/// The measures that show whether a search learns, per cell type and epoch: do the op weights
/// separate (largest weight up, entropy down), and, under EnTranNAS-DST, how much is pruned and
/// how many inputs the derived nodes keep.
public struct ArchitectureStatistics: Codable, Equatable, Sendable {
    /// Mean over edges of the largest weight of softmax(alpha / tau): 1/K when uniform, 1 when one-hot.
    public var meanMaxWeight: Double
    /// Mean over edges of the entropy of softmax(alpha / tau), in nats: ln K when uniform, 0 when one-hot.
    public var meanEntropy: Double
    /// Mean number of (input, op) pairs per intermediate node of the derived cell (DARTS rule: 2).
    public var meanInDegree: Double
    /// EnTranNAS-DST: share of the candidate (edge, op) pairs, `none` not counted, with q-hat = 0.
    public var prunedFraction: Double?

    /// The measures of one cell type's `weights` and its derived cell; `pruning` (EnTranNAS-DST)
    /// adds `prunedFraction`.
    public init(weights: CellWeights, derived: [[Connection]], primitives: [Primitive], pruning: Bool) {
        let rows = weights.probabilities
        meanMaxWeight = rows.map { Double($0.max() ?? 0) }.reduce(0, +) / Double(max(1, rows.count))
        meanEntropy = rows.map { row in row.reduce(0.0) { h, p in p > 0 ? h - Double(p) * Foundation.log(Double(p)) : h } }
            .reduce(0, +) / Double(max(1, rows.count))
        meanInDegree = Double(derived.reduce(0) { $0 + $1.count }) / Double(max(1, derived.count))
        if pruning {
            let candidates = rows.count * primitives.filter { $0 != .none }.count
            let kept = weights.active.joined().filter { $0 }.count
            prunedFraction = Double(candidates - kept) / Double(max(1, candidates))
        }
    }
}
