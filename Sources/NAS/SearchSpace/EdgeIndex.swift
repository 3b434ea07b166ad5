import Foundation

/// The DARTS edge layout of a cell: intermediate node j (0-based step, state j + 2) has one edge
/// from each earlier state i in 0..<(j + 2), and edges are numbered node by node, input by input
/// (DARTS `model_search.py`). Row e of an alpha matrix belongs to edge e. 4 steps give 14 edges.
public struct EdgeIndex: Equatable, Sendable {
    /// Intermediate nodes per cell.
    public let steps: Int

    /// The layout of a cell with `steps` intermediate nodes (at least 0).
    public init(steps: Int) {
        precondition(steps >= 0, "a cell cannot have \(steps) intermediate nodes")
        self.steps = steps
    }

    /// Total edges: 2 + 3 + ... + (steps + 1).
    public var edgeCount: Int { steps * (steps + 3) / 2 }

    /// Inputs of intermediate node `step`: the two cell inputs and every earlier node.
    public func inputCount(step: Int) -> Int { step + 2 }

    /// Index of the first edge entering `step`: the input counts of all earlier nodes summed.
    public func offset(step: Int) -> Int {
        precondition((0...steps).contains(step), "step \(step) out of range 0..<\(steps)")
        return step * (step + 3) / 2
    }

    /// Edge indices entering intermediate node `step`, in input order.
    public func edges(step: Int) -> Range<Int> {
        offset(step: step)..<(offset(step: step) + inputCount(step: step))
    }

    /// Edge from state `input` into intermediate node `step`.
    public func edge(step: Int, input: Int) -> Int {
        precondition((0..<steps).contains(step), "step \(step) out of range 0..<\(steps)")
        precondition((0..<inputCount(step: step)).contains(input), "node \(step + 2) cannot read input \(input)")
        return offset(step: step) + input
    }

    /// Inverse of `edge(step:input:)`.
    public func location(ofEdge edge: Int) -> (step: Int, input: Int) {
        precondition((0..<edgeCount).contains(edge), "edge \(edge) out of range 0..<\(edgeCount)")
        var step = 0
        while offset(step: step + 1) <= edge { step += 1 }
        return (step, edge - offset(step: step))
    }
}
