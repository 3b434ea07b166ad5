import Torch

/// The architecture weights one cell type uses in a forward pass, computed once per pass from
/// the shared parameters and kept in the autograd graph so alpha (and beta) get gradients.
public struct CellWeights {
    /// [edges, K]: softmax(alpha / tau), or EnTranNAS-DST's sparsified q-hat (docs/method.md#relaxation, #dst).
    public let ops: Tensor
    /// ops[e][k] as scalars, so cells do not re-slice the matrix.
    public let scalars: [[Tensor]]
    /// Which (edge, op) terms are computed: false for `none` (it adds zeros) and for candidates
    /// DST pruned (q-hat = 0, "pruned candidates are not computed").
    public let active: [[Bool]]
    /// PC-DARTS edge weights, softmax over each node's incoming edges; nil without edge normalisation.
    public let edges: [Tensor]?
    /// EnTranNAS-DST: sum over nodes of the mean (or, by `SearchSpaceConfig.dstSparsityScope`, the
    /// sum) of the un-normalised q of the node's candidates, the L1 sparsity term that
    /// `SearchSpaceConfig.dstSparsity` weighs (docs/method.md#a7); nil otherwise.
    public let sparsityPenalty: Tensor?
    /// The plain values, for derivation and logging.
    public let values: [[Float]]
    /// softmax(alpha / tau) as plain values: equal to `values` except under DST, where it is the
    /// pre-sparsification weight (derivation fallback, and the separation measures).
    public let probabilities: [[Float]]
    /// `edges` as plain values; nil without edge normalisation.
    public let edgeValues: [Float]?
}

extension CellWeights {
    /// Builds the weights of one cell type (docs/method.md#relaxation, #dst).
    static func compute(arch: ArchitectureParameters, type: Genotype.CellType, config: SearchSpaceConfig,
                        temperature: Double, capsInDegree: Bool = true) throws -> CellWeights {
        let layout = EdgeIndex(steps: config.steps)
        let p = try (try temperature == 1 ? arch.alphas(type) : arch.alphas(type) / temperature).softmax(dim: 1)
        let noneColumn = config.primitives.firstIndex(of: .none)
        var ops = p
        var penalty: Tensor? = nil
        if let beta = arch.thresholds(type) {
            (ops, penalty) = try sparsify(p, thresholds: try beta.sigmoid(), layout: layout, noneColumn: noneColumn,
                                      scope: config.dstRenormalization, sparsity: config.dstSparsityScope ?? .mean,
                                          maxInDegree: capsInDegree ? config.dstMaxInDegree : nil,
                                          pull: config.dstThresholdPull ?? .sum)
        }
        let k = config.primitives.count
        func matrix(_ t: Tensor) throws -> [[Float]] {
            let flat = try t.detached().floats()
            return (0..<layout.edgeCount).map { Array(flat[($0 * k)..<($0 * k + k)]) }
        }
        let rows = try matrix(ops)
        let pruning = arch.thresholds(type) != nil
        let active = rows.map { row in row.indices.map { $0 != noneColumn && (!pruning || row[$0] > 0) } }
        let scalarRows = try ops.chunked(layout.edgeCount, dim: 0).map { try $0.reshape([k]).chunked(k, dim: 0).map { try $0.reshape([]) } }
        var edges: [Tensor]? = nil
        var edgeValues: [Float]? = nil
        if let betas = arch.edgeBetas(type) {
            let normalised = try (0..<config.steps).map { step -> Tensor in
                let r = layout.edges(step: step)
                return try betas.narrow(dim: 0, start: r.lowerBound, length: r.count).softmax(dim: 0)
            }
            let all = try Tensor.cat(normalised, dim: 0)
            edgeValues = try all.detached().floats()
            edges = try all.chunked(layout.edgeCount, dim: 0).map { try $0.reshape([]) }
        }
        return CellWeights(ops: ops, scalars: scalarRows, active: active, edges: edges, sparsityPenalty: penalty, values: rows,
                           probabilities: try pruning ? matrix(p) : rows, edgeValues: edgeValues)
    }

    /// EnTranNAS-DST (docs/method.md#dst): per node j, q = ReLU(p / max_{i,k} p - t_j), renormalised in
    /// `scope`; candidates whose q is zero are pruned. `none` (when kept, the `masked` reading) is
    /// left out of the max and never survives. With `maxInDegree`, a node's threshold is raised to
    /// its next ratio whenever more candidates would pass (see `cappedThreshold`). With `pull` `mean`,
    /// the weights pass t_j 1/n of their gradient, n being the node's kept candidates; the penalty
    /// passes all of it.
    static func sparsify(_ p: Tensor, thresholds t: Tensor, layout: EdgeIndex, noneColumn: Int?,
                         scope: DSTRenormalization, sparsity: DSTSparsityScope = .mean,
                         maxInDegree: Int? = nil, pull: DSTThresholdPull = .sum) throws -> (weights: Tensor, penalty: Tensor) {
        let k = p.size(1)
        var candidates = p
        if let noneColumn {
            var mask = [Float](repeating: 1, count: k)
            mask[noneColumn] = 0
            candidates = try p * Tensor(mask, shape: [1, k])
        }
        var penalty: Tensor? = nil
        let ratios = try (0..<layout.steps).map { step -> Tensor in
            let r = layout.edges(step: step)
            let block = try candidates.narrow(dim: 0, start: r.lowerBound, length: r.count)
            return try block / block.max()
        }
        // The cap reads every node's threshold and ratios to the host: one read per cell type.
        let hostValues = try maxInDegree == nil ? []
            : Tensor.cat(try ([t] + ratios).map { try $0.detached().reshape([-1]) }).floats()
        let thresholdValues = Array(hostValues.prefix(layout.steps)), ratioValues = Array(hostValues.dropFirst(layout.steps))
        let perNode = try (0..<layout.steps).map { step -> Tensor in
            let r = layout.edges(step: step)
            let ratio = ratios[step]
            let own = try t.narrow(dim: 0, start: step, length: 1)
            let start = layout.offset(step: step) * k
            let values = hostValues.isEmpty ? [] : Array(ratioValues[start..<(start + r.count * k)])
            var threshold = own
            if pull == .mean {
                // Value t_j exactly (t - t is 0), gradient 1/n: the loss pulls with the mean over the
                // kept. n counts where relu passes, on the device (no host read).
                let kept = try (try ratio - own).relu().detached().sign().sum().clamp(min: 1)
                threshold = try own.detached() + (try own - own.detached()) / kept
            }
            var penaltyThreshold = own
            if let maxInDegree {
                threshold = try cappedThreshold(ratio, values: values, threshold: threshold, value: thresholdValues[step], cap: maxInDegree)
                if pull == .mean {
                    penaltyThreshold = try cappedThreshold(ratio, values: values, threshold: own, value: thresholdValues[step], cap: maxInDegree)
                }
            }
            let q = try (try ratio - threshold).relu()
            let penaltyQ = pull == .mean ? try (try ratio - penaltyThreshold).relu() : q
            let candidates = r.count * (k - (noneColumn == nil ? 0 : 1))
            let term = sparsity == .sum ? try penaltyQ.sum() : try penaltyQ.sum() / Double(candidates)
            penalty = try penalty.map { try $0 + term } ?? term
            switch scope {
            case .edge:
                return try q / q.sum(dim: 1, keepDims: true).clamp(min: 1e-12)
            case .node:
                return try q / q.sum().clamp(min: 1e-12)
            case .straightThrough:
                // Value of the per-edge q-hat, gradient of q: q - q.detached() is exactly zero.
                let perEdge = try (try q / q.sum(dim: 1, keepDims: true).clamp(min: 1e-12)).detached()
                return try perEdge + (try q - q.detached())
            case .hard:
                // Value 1 where q > 0 (q >= 0, so its sign), gradient of q.
                return try q.detached().sign() + (try q - q.detached())
            }
        }
        return (try Tensor.cat(perNode, dim: 0), penalty!)
    }

    /// The cap of `--dst-max-in-degree` (docs/method.md#a17): when more than `cap` ratios exceed t_j,
    /// the node's threshold becomes the largest ratio that must go, so exactly the `cap` largest
    /// stay (fewer on a tie at the boundary: the cap is a maximum). The threshold is then that
    /// candidate's ratio, a function of alpha, so the gradient that t_j would get moves the
    /// candidates at the boundary instead; t_j gets none while the cap binds. A tie reaching the
    /// node's largest ratio cannot be broken, and leaves t_j in place for that step.
    /// `values` are the ratios as plain values, read to the host once for every node of the cell type.
    static func cappedThreshold(_ ratio: Tensor, values: [Float], threshold: Tensor, value t: Float, cap: Int) throws -> Tensor {
        let flat = try ratio.reshape([-1])
        let order = values.indices.sorted { values[$0] > values[$1] }
        guard order.count > cap, values[order[cap]] > t else { return threshold }
        var cut = cap
        while cut > 0 && values[order[cut - 1]] == values[order[cut]] { cut -= 1 }
        guard cut > 0 else { return threshold }
        return try flat.narrow(dim: 0, start: order[cut], length: 1)
    }
}
