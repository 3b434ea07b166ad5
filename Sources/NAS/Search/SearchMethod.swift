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

    public var isEnTranNAS: Bool { self == .entrannas || self == .entrannasDST }
}

/// How `none` is treated by EnTranNAS-DST (spec §8 A5).
public enum DSTNoneHandling: String, CaseIterable, Codable, Sendable {
    /// `none` is not a candidate at all (K = 7 on the DARTS space). The spec's recommendation.
    case excluded
    /// `none` keeps its alpha column in the softmax but is left out of the max and can never
    /// survive the threshold.
    case masked
}
