import Torch

/// The differentiable cell (docs/method.md#engine-transit): node j = sum over inputs i and ops k of
/// w_ijk * o_i^k(x_i), with w = softmax(alpha / tau) or DST's q-hat. With feature sharing each
/// o_i^k is computed once and reused by every later node; the weights stay per edge.
public final class EngineCell: SearchCell, @unchecked Sendable {
    /// The cell output: the concatenation of the last `multiplier` nodes, each weighted by `weights`.
    /// With `keptEdges` (`--engine-edges derived`), an edge outside it adds zero to its node's value
    /// but the gradient of its mixture (straight-through: m - m.detached()).
    /// The sums are matrix products (`matrixMixedNodes`, `matrixMixedEdges`,
    /// `matrixMixedPartialEdges`); `termwise` forces the multiply-and-add per (edge, op) that
    /// `--engine-edges derived` uses (tests compare the two).
    public func callAsFunction(_ s0: Tensor, _ s1: Tensor, weights: CellWeights, keptEdges: Set<Int>? = nil,
                               termwise: Bool = false) throws -> Tensor {
        var states = try preprocess(s0, s1)
        var cache = OpCache()
        if keptEdges == nil && !termwise {
            if !mixesByMatrix {
                try matrixMixedPartialEdges(&states, weights: weights, cache: &cache)
            } else if featureSharing {
                try matrixMixedNodes(&states, terms: .engine(weights), cache: &cache)
            } else {
                try matrixMixedEdges(&states, terms: .engine(weights), cache: &cache)
            }
            return try output(states)
        }
        for step in 0..<steps {
            var node: Tensor? = nil
            for input in 0..<(step + 2) {
                let edge = layout.edge(step: step, input: input)
                let mixedOp = ops[source(ofEdge: edge)]
                guard var m = try mixedOp.mix(weights: weights.scalars[edge], active: weights.active[edge], output: { k in
                    try cache.output(self, edge: edge, column: k, input: states[input])
                }) else { continue }
                m = try edgeOutput(m, input: states[input], stride: mixedOp.stride)
                if let edgeWeights = weights.edges { m = try edgeWeights[edge] * m }
                if let keptEdges, !keptEdges.contains(edge) { m = try m - m.detached() }
                node = try node.map { try $0 + m } ?? m
            }
            states.append(try node ?? zeroNode(states))
        }
        return try output(states)
    }
}
