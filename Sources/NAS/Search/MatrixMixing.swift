import Torch

/// Feature sharing's mixture as matrix products (docs/performance.md#matrix-mixing). A source's op
/// outputs are stacked into one [K, M] matrix S (each output flattened in its memory order, so no
/// layout changes), and one `addmm` adds W [later nodes, K] @ S to the running sums of every node
/// the source feeds. A cell then reads each op output once, where the term-by-term mixture
/// multiplied and added it once per (edge, op): 98 multiplies and as many additions for a 4-node
/// cell of 7 ops, each a pass over a whole feature map. The values are the same sums in another
/// order (float rounding); inactive (edge, op) pairs get a constant zero weight, so their alphas
/// get no gradient, as when they were skipped.
extension SearchCell {
    /// Whether `matrixMixedNodes` (shared op outputs) or `matrixMixedEdges` (DARTS) applies: the
    /// cell has no partial channels (those take `matrixMixedPartialEdges`).
    var mixesByMatrix: Bool { partialChannels == 1 }

    /// The `steps` intermediate nodes after the two preprocessed inputs in `states`, each the sum
    /// over its inputs i and active ops k of w_ik * o_i^k, computed source by source.
    func matrixMixedNodes(_ states: inout [Tensor], terms: MixtureTerms, cache: inout OpCache) throws {
        precondition(mixesByMatrix && featureSharing, "matrixMixedNodes needs feature sharing without partial channels")
        var pending: Tensor? = nil  // [steps - first, M]: the running sums of nodes first..<steps
        var shape: [Int]? = nil
        var channelsLast = false
        for source in 0...steps {
            let first = max(0, source - 1)
            let targets = (first..<steps).map { layout.edge(step: $0, input: source) }
            let columns = ops[source].ops.indices.filter { k in targets.contains { terms.isActive($0, k) } }
            if !columns.isEmpty {
                let outputs = try columns.map { try cache.output(self, edge: targets[0], column: $0, input: states[source]) }
                if shape == nil { (shape, channelsLast) = (outputs[0].shape, Self.isChannelsLast(outputs[0])) }
                let stacked = try Self.stacked(outputs, channelsLast: channelsLast)
                let w = try terms.matrix(targets, columns, stacked)
                pending = try pending.map { try $0.addmm(w, stacked) } ?? w.matmul(stacked)
            }
            guard source >= 1 else { continue }
            // Every input of node `source - 1` has been added: it is the first pending row.
            // `split` rather than select and narrow: their backward passes would each fill a
            // zero matrix of all pending rows and add the two; split's joins the rows' gradients
            // in one copy.
            if let sums = pending, let shape {
                let rows = sums.size(0)
                let parts = rows > 1 ? try sums.split(sizes: [1, rows - 1]) : [sums]
                states.append(try unflatten(parts[0], shape: shape, channelsLast: channelsLast))
                pending = rows > 1 ? parts[1] : nil
            } else {
                states.append(try zeroNode(states))
            }
        }
    }

    /// Without feature sharing (DARTS) every edge owns its ops, so each edge's outputs are stacked
    /// and node j accumulates w_e [1, K] @ S_e over its edges, one `addmm` per edge instead of a
    /// multiply and an add per op.
    func matrixMixedEdges(_ states: inout [Tensor], terms: MixtureTerms, cache: inout OpCache) throws {
        precondition(mixesByMatrix && !featureSharing, "matrixMixedEdges is for cells without feature sharing")
        for step in 0..<steps {
            var node: Tensor? = nil
            var shape: [Int] = []
            var channelsLast = false
            for input in 0..<(step + 2) {
                let edge = layout.edge(step: step, input: input)
                let columns = ops[edge].ops.indices.filter { terms.isActive(edge, $0) }
                guard !columns.isEmpty else { continue }
                let outputs = try columns.map { try cache.output(self, edge: edge, column: $0, input: states[input]) }
                if node == nil { (shape, channelsLast) = (outputs[0].shape, Self.isChannelsLast(outputs[0])) }
                let stacked = try Self.stacked(outputs, channelsLast: channelsLast)
                let w = try terms.matrix([edge], columns, stacked)
                node = try node.map { try $0.addmm(w, stacked) } ?? w.matmul(stacked)
            }
            states.append(try node.map { try unflatten($0, shape: shape, channelsLast: channelsLast) }
                ?? zeroNode(states))
        }
    }

    /// PC-DARTS: an edge's ops see C/K channels, so its mixture is one product of their stacked
    /// outputs, which is then joined with the bypassed channels and weighted by the edge's beta.
    func matrixMixedPartialEdges(_ states: inout [Tensor], weights: CellWeights, cache: inout OpCache) throws {
        let terms = MixtureTerms.engine(weights, foldingEdgeWeights: false)
        for step in 0..<steps {
            var node: Tensor? = nil
            for input in 0..<(step + 2) {
                let edge = layout.edge(step: step, input: input)
                let mixedOp = ops[source(ofEdge: edge)]
                let columns = mixedOp.ops.indices.filter { terms.isActive(edge, $0) }
                guard !columns.isEmpty else { continue }
                let outputs = try columns.map { try cache.output(self, edge: edge, column: $0, input: states[input]) }
                let channelsLast = Self.isChannelsLast(outputs[0])
                let stacked = try Self.stacked(outputs, channelsLast: channelsLast)
                let mixed = try terms.matrix([edge], columns, stacked).matmul(stacked)
                var m = try edgeOutput(try unflatten(mixed, shape: outputs[0].shape,
                                                     channelsLast: channelsLast),
                                       input: states[input], stride: mixedOp.stride)
                if let edgeWeights = weights.edges { m = try edgeWeights[edge] * m }
                node = try node.map { try $0 + m } ?? m
            }
            states.append(try node ?? zeroNode(states))
        }
    }

    /// Whether x lies in memory as NHWC (and not also as NCHW, as a 1-channel map would).
    private static func isChannelsLast(_ x: Tensor) -> Bool { x.isContiguous(.channelsLast) && !x.isContiguous() }

    /// The outputs as the rows of one [K, M] matrix, each flattened in the order its elements lie
    /// in memory (NHWC for channels-last): one copy.
    private static func stacked(_ outputs: [Tensor], channelsLast: Bool) throws -> Tensor {
        try Tensor.stack(try outputs.map { try (channelsLast ? $0.permute([0, 2, 3, 1]) : $0).reshape([-1]) })
    }

    /// A one-row product [1, M] back as a map of the NCHW `shape`, in the layout it was
    /// flattened from: a view, whose backward pass is a view too (`select`'s would fill a zero matrix).
    private func unflatten(_ row: Tensor, shape: [Int], channelsLast: Bool) throws -> Tensor {
        guard channelsLast else { return try row.reshape(shape) }
        return try row.reshape([shape[0], shape[2], shape[3], shape[1]]).permute([0, 3, 1, 2])
    }
}

/// Which (edge, op column) terms a matrix-mixed cell has, and their weights as the [targets,
/// columns] matrix of one source (`like`: a tensor on the device and of the dtype to use).
struct MixtureTerms {
    let isActive: (_ edge: Int, _ column: Int) -> Bool
    let matrix: (_ targets: [Int], _ columns: [Int], _ like: Tensor) throws -> Tensor

    /// An Engine-cell's: the softmax (or q-hat) entries of `weights`, in the autograd graph, times
    /// the edge weight under edge normalisation; a constant zero for an inactive term.
    /// (`foldingEdgeWeights` false: without them, for a caller that weights the edge outputs.)
    static func engine(_ weights: CellWeights, foldingEdgeWeights: Bool = true) -> MixtureTerms {
        MixtureTerms(isActive: { weights.active[$0][$1] }, matrix: { targets, columns, _ in
            var zero: Tensor? = nil
            var entries: [Tensor] = []
            for edge in targets {
                for k in columns {
                    if weights.active[edge][k] {
                        entries.append(weights.scalars[edge][k])
                    } else {
                        zero = try zero ?? Tensor.zeros(like: weights.scalars[edge][k]).detached()
                        entries.append(zero!)
                    }
                }
            }
            let w = try Tensor.stack(entries).reshape([targets.count, columns.count])
            guard foldingEdgeWeights, let edgeWeights = weights.edges else { return w }
            return try w * Tensor.stack(targets.map { edgeWeights[$0] }).reshape([targets.count, 1])
        })
    }

    /// A weighted Transit-cell's (EnTranNAS-DST, docs/method.md#a16): the derived ops, each with
    /// its constant weight.
    static func transit(_ derived: DerivedCell, layout: EdgeIndex) -> MixtureTerms {
        var weight: [Int: [Int: Float]] = [:]  // edge -> column -> weight
        for (step, inputs) in derived.nodes.enumerated() {
            for (input, columns, weights) in inputs {
                let edge = layout.edge(step: step, input: input)
                for (k, w) in zip(columns, weights) { weight[edge, default: [:]][k] = w }
            }
        }
        return MixtureTerms(isActive: { weight[$0]?[$1] != nil }, matrix: { targets, columns, like in
            let values = targets.flatMap { edge in columns.map { weight[edge]?[$0] ?? 0 } }
            return try Tensor(values, shape: [targets.count, columns.count]).to(like.dtype).to(like.device)
        })
    }
}
