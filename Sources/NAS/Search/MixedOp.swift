import Torch

/// Every candidate op for one source: an edge (DARTS) or, with feature sharing, a node whose
/// op outputs all its successors reuse (docs/method.md#feature-sharing). Ops are built at search settings: affine-free
/// BN, pooling followed by BN. With partial channels they see only C/K channels.
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
}
