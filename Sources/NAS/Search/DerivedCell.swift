import Torch

/// A derived cell as the search network runs it: per intermediate node, its inputs, each with
/// the alpha columns of the ops chosen on that edge.
public struct DerivedCell: Equatable, Sendable {
    public var nodes: [[(input: Int, columns: [Int])]]

    public init(connections: [[Connection]], primitives: [Primitive]) {
        nodes = connections.map { conns in
            var byInput: [(input: Int, columns: [Int])] = []
            for c in conns {
                guard let column = primitives.firstIndex(of: c.op) else { continue }
                if let i = byInput.firstIndex(where: { $0.input == c.input }) {
                    if !byInput[i].columns.contains(column) { byInput[i].columns.append(column) }
                } else {
                    byInput.append((c.input, [column]))
                }
            }
            return byInput
        }
    }

    public static func == (a: DerivedCell, b: DerivedCell) -> Bool {
        a.nodes.count == b.nodes.count && zip(a.nodes, b.nodes).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy { $0.input == $1.input && $0.columns == $1.columns }
        }
    }
}
