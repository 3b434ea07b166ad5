import Torch

/// The derived cell inside the super-net (docs/method.md#engine-transit): it shares its type's
/// architecture through the current derivation, holds every candidate op, but runs only the
/// derived (input, op) pairs and sums them unweighted (EnTranNAS-DST: weighted by the detached
/// q-hat, which is 1 once sparse; see `DerivedCell`). Skipped ops cost no time or memory, and
/// alpha gets no gradient here.
public final class TransitCell: SearchCell, @unchecked Sendable {
    /// The cell output, running only the pairs of `derived`.
    public func callAsFunction(_ s0: Tensor, _ s1: Tensor, derived: DerivedCell) throws -> Tensor {
        try derivedForward(s0, s1, derived: derived, weighted: true)
    }
}

extension SearchCell {
    /// Runs only the derived (input, op) pairs: the Transit-cell computation (`weighted`: each
    /// output times its derived weight), and, unweighted, how any cell runs when the network
    /// evaluates its derived architecture as the evaluation network will.
    /// A weighted cell denser than a DARTS cell (DST before it prunes) sums by matrix products, as
    /// an Engine-cell does (`matrixMixedNodes`); `termwise` forces the multiply-and-add.
    func derivedForward(_ s0: Tensor, _ s1: Tensor, derived: DerivedCell, weighted: Bool = false,
                        termwise: Bool = false) throws -> Tensor {
        var states = try preprocess(s0, s1)
        var cache = OpCache()
        if weighted && mixesByMatrix && featureSharing && !termwise
            && derived.nodes.reduce(0, { $0 + $1.reduce(0) { $0 + $1.columns.count } }) > 2 * steps {
            try matrixMixedNodes(&states, terms: .transit(derived, layout: layout), cache: &cache)
            return try output(states)
        }
        for step in 0..<steps {
            var node: Tensor? = nil
            for (input, columns, weights) in derived.nodes[step] {
                let edge = layout.edge(step: step, input: input)
                var mixed: Tensor? = nil
                for (k, w) in zip(columns, weights) {
                    var y = try cache.output(self, edge: edge, column: k, input: states[input])
                    if weighted && w != 1 { y = try y * Double(w) }
                    mixed = try mixed.map { try $0 + y } ?? y
                }
                guard let m = mixed else { continue }
                let out = try edgeOutput(m, input: states[input], stride: ops[source(ofEdge: edge)].stride)
                node = try node.map { try $0 + out } ?? out
            }
            states.append(try node ?? zeroNode(states))
        }
        return try output(states)
    }
}
