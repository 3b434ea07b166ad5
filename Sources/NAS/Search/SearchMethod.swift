/// The search methods that run in one engine, so their cost and results compare side by side.
public enum SearchMethod: String, CaseIterable, Codable, Sendable {
    /// EnTranNAS: Engine-cells plus Transit-cells, feature sharing, DARTS derivation rule.
    case entrannas
    /// EnTranNAS-DST: as EnTranNAS, with learnable per-node thresholds deriving the cells.
    case entrannasDST = "entrannas-dst"
    /// DARTS, first-order architecture gradient.
    case darts
    /// DARTS, second-order (unrolled) architecture gradient.
    case darts2nd = "darts-2nd"
    /// PC-DARTS: partial channels, channel shuffle and edge normalisation.
    case pcDarts = "pc-darts"

    /// Whether the method uses Engine- and Transit-cells (EnTranNAS or EnTranNAS-DST).
    public var isEnTranNAS: Bool { self == .entrannas || self == .entrannasDST }
}

/// How `none` is treated by EnTranNAS-DST (docs/method.md#a5).
public enum DSTNoneHandling: String, CaseIterable, Codable, Sendable {
    /// `none` is not a candidate at all (K = 7 on the DARTS space). The default (docs/method.md#a5).
    case excluded
    /// `none` keeps its alpha column in the softmax but is left out of the max and can never
    /// survive the threshold.
    case masked
}

/// How EnTranNAS-DST renormalises the thresholded weights q (docs/method.md#dst-renormalisation).
/// The paper leaves the scope open; the default is chosen by measurement
/// (docs/presets.md#dst-sparsity-and-renormalisation).
public enum DSTRenormalization: String, CaseIterable, Codable, Sendable {
    /// q-hat = q / sum over the edge's ops, as the survey writes it. An edge left with one op has
    /// q-hat = 1 and zero gradient, so a node whose surviving edges all keep one op stops learning.
    case edge
    /// q-hat = q / sum over every candidate of the node: Engine-cell terms of a node sum to 1.
    case node
    /// The forward value of `edge` (so a sparse Engine-cell equals its Transit-cell exactly), with
    /// the gradient of the un-normalised q, so alphas and thresholds keep learning once sparse.
    case straightThrough = "straight-through"
    /// The forward value of the derived cell itself, 1 for every kept candidate (the paper's
    /// Transit-cell sum), with the gradient of q: Engine-cell, Transit-cell and derived cell
    /// compute the same thing at every step, not only once every edge keeps one op.
    case hard
}

/// What an EnTranNAS-DST Transit-cell sums during the search (docs/method.md#a16).
public enum DSTTransit: String, CaseIterable, Codable, Sendable {
    /// Each kept op's output times its detached q-hat, so before pruning the Transit-cell
    /// computes the Engine-cell's weighted mixture (the default: an unweighted sum of every
    /// candidate at initialisation would feed later cells a much larger signal).
    case weighted
    /// The paper's Transit-cell: the kept ops' outputs summed unweighted, at every step.
    case unweighted
}

/// How EnTranNAS-DST's sparsity term adds up a node's thresholded weights (docs/method.md#a7).
public enum DSTSparsityScope: String, CaseIterable, Codable, Sendable {
    /// λ · Σ_j mean over node j's candidates of q: each node pressed alike, whatever its size,
    /// so a threshold is pushed up by at most λ (the default, the one measured in
    /// docs/presets.md#cpu-preset; `sum` was tried once: docs/experiment.md#goals).
    case mean
    /// λ · Σ_j Σ over node j's candidates of q: each candidate pressed alike, so the push on a
    /// threshold grows with the candidates it keeps, as the validation loss's pull does.
    case sum
}

/// How the loss gradient reaches an EnTranNAS-DST threshold (docs/method.md#a19).
public enum DSTThresholdPull: String, CaseIterable, Codable, Sendable {
    /// The plain gradient: t_j gets the sum over node j's kept candidates, so the more a node
    /// keeps, the harder the loss pulls its threshold down (the paper's rule, the default).
    case sum
    /// The mean over node j's kept candidates: the pull no longer grows with what the node keeps,
    /// while the sparsity term's push does, so a node that keeps many is pushed back (a remedy
    /// against the dense node, docs/presets.md#dst-mean-pull). The forward values are unchanged.
    case mean
}

/// Which edges an EnTranNAS Engine-cell node sums (docs/method.md#a18).
public enum EngineEdges: String, CaseIterable, Codable, Sendable {
    /// Every incoming edge, each as its op mixture: the paper's Engine-cell (DARTS' mixture).
    case all
    /// Only the edges the derived cell keeps (the DARTS rule's two per node) count in the forward
    /// value; the other edges pass on the gradient they would get (straight-through), so their
    /// alphas keep learning and can replace a kept edge. With one-hot op weights (an annealed
    /// temperature) the Engine-cell then computes exactly the derived cell.
    case derived
}
