import Torch

/// Every candidate op for one source, and their mixture on an edge: sum over the active
/// candidates k of w_k * o^k(x). The source is an edge (DARTS) or, with feature sharing, a node
/// whose op outputs all its successors reuse with weights of their own
/// (docs/method.md#feature-sharing), so the outputs come from the caller's cache. Ops are built at
/// search settings: affine-free BN, pooling followed by BN. With partial channels they see only
/// C/K channels.
public final class MixedOp: Module, @unchecked Sendable {
    /// One op per primitive, in `primitives` order (the alpha columns).
    public let ops: [any Layer]
    /// The candidate primitives.
    public let primitives: [Primitive]
    /// 2 on the edges of a reduction cell that read its inputs, 1 otherwise.
    public let stride: Int

    /// Builds every primitive's search op for `channels` channels.
    public init(primitives: [Primitive], channels: Int, stride: Int) throws {
        self.primitives = primitives
        self.stride = stride
        ops = try primitives.map { try makeSearchOperation($0, channels: channels, stride: stride) }
    }

    /// The output of candidate `column` on `x`.
    public func callAsFunction(_ x: Tensor, column: Int) throws -> Tensor { try ops[column](x) }

    /// The edge's mixture: sum over the `active` candidates k of `weights[k] * output(k)`, where
    /// `output(k)` is candidate k's output on the edge's input (computed once per source when
    /// shared); nil when no candidate is active (a pruned edge).
    public func mix(weights: [Tensor], active: [Bool], output: (_ column: Int) throws -> Tensor) throws -> Tensor? {
        var mixed: Tensor?
        for k in active.indices where active[k] {
            let term = try weights[k] * output(k)
            mixed = try mixed.map { try $0 + term } ?? term
        }
        return mixed
    }
}
