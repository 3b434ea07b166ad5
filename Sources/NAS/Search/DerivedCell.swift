import Torch

/// A derived cell as the search network runs it: per intermediate node, its inputs, each with
/// the alpha columns of the ops chosen on that edge and the weight each op's output gets in a
/// Transit-cell.
public struct DerivedCell: Equatable, Sendable {
    /// Per intermediate node, its inputs: the state read, the alpha columns of the ops kept on that
    /// edge, and each op's weight.
    public var nodes: [[(input: Int, columns: [Int], weights: [Float])]]

    /// Unweighted (every weight 1), as the paper's Transit-cell and the evaluation cell sum.
    /// With `transitWeights` ([edge][column], DST's q-hat), each chosen op keeps its weight, so
    /// an EnTranNAS-DST Transit-cell before pruning is a weighted mixture like its Engine-cell
    /// rather than an unweighted sum of every candidate; once every surviving edge keeps one op,
    /// its weight is 1 and the two readings coincide. A zero weight (a fallback pick) counts as 1.
    public init(connections: [[Connection]], primitives: [Primitive], transitWeights: [[Float]]? = nil) {
        nodes = connections.enumerated().map { step, conns in
            let offset = EdgeIndex(steps: step + 1).offset(step: step)
            var byInput: [(input: Int, columns: [Int], weights: [Float])] = []
            for c in conns {
                guard let column = primitives.firstIndex(of: c.op) else { continue }
                let w = transitWeights.map { $0[offset + c.input][column] } ?? 1
                let weight = w > 0 ? w : 1
                if let i = byInput.firstIndex(where: { $0.input == c.input }) {
                    if !byInput[i].columns.contains(column) {
                        byInput[i].columns.append(column)
                        byInput[i].weights.append(weight)
                    }
                } else {
                    byInput.append((c.input, [column], [weight]))
                }
            }
            return byInput
        }
    }

    /// Equal when every node has the same inputs, columns and weights in the same order.
    public static func == (a: DerivedCell, b: DerivedCell) -> Bool {
        a.nodes.count == b.nodes.count && zip(a.nodes, b.nodes).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy {
                $0.input == $1.input && $0.columns == $1.columns && $0.weights == $1.weights
            }
        }
    }
}
