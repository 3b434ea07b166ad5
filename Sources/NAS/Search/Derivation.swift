import Foundation

/// How to turn architecture weights into a discrete cell (docs/method.md#derivation).
public enum DerivationRule: Equatable, Sendable {
    /// DARTS: per node keep the `topK` edges with the strongest non-`none` op, argmax op on each.
    case darts(topK: Int = 2)
    /// PC-DARTS: op weights scaled by edge-normalisation weights, then the DARTS rule. Edge
    /// weights are per edge, already softmax-normalised over each node's incoming edges.
    case pcDarts(normalEdgeWeights: [Float], reduceEdgeWeights: [Float], topK: Int = 2)
    /// EnTranNAS-DST: the weights are the sparsified q-hat; every nonzero (op, input) survives.
    /// The optional fallbacks (pre-sparsification weights) rescue a node left without inputs.
    case threshold(normalFallback: [[Float]]? = nil, reduceFallback: [[Float]]? = nil)
}

/// Why weights could not be derived into a cell; one line each.
public enum DerivationError: DescribedError, Equatable, Sendable {
    /// A weight matrix has the wrong number of edges (rows).
    case edgeCount(what: String, expected: Int, got: Int)
    /// An edge has the wrong number of op weights (columns).
    case opCount(what: String, edge: Int, expected: Int, got: Int)
    /// No candidate op other than `none`.
    case noCandidateOps
    /// A top-k below 1.
    case invalidTopK(Int)
    /// A multiplier (nodes concatenated into the cell output) outside 1...steps.
    case invalidMultiplier(Int, steps: Int)

    /// One line naming what does not fit.
    public var description: String {
        switch self {
        case .edgeCount(let what, let expected, let got):
            return "\(what) has \(got) edges, expected \(expected)"
        case .opCount(let what, let edge, let expected, let got):
            return "\(what) edge \(edge) has \(got) op weights, expected \(expected) (one per primitive)"
        case .noCandidateOps:
            return "the primitive list has no op other than 'none', so no connection can be derived"
        case .invalidTopK(let k):
            return "top-k must be at least 1, got \(k)"
        case .invalidMultiplier(let m, let steps):
            return "a cell of \(steps) nodes cannot concatenate its last \(m); the multiplier must be 1...\(steps)"
        }
    }
}

/// DARTS derivation (docs/method.md#derivation): for each node rank its incoming edges by their strongest
/// non-`none` weight, keep the best `topK`, and take the argmax non-`none` op on each.
/// `weights[e][k]` is the (softmaxed) weight of `primitives[k]` on edge e.
/// Connections are listed strongest edge first, as DARTS prints them; ties go to the lower input
/// and the lower op column, like DARTS's stable sort and strict `>` argmax. `none` is excluded
/// because it would stand for "no edge", which the top-k rule already decides.
public func deriveDarts(
    weights: [[Float]], primitives: [Primitive], steps: Int, topK: Int = 2
) throws -> [[Connection]] {
    guard topK >= 1 else { throw DerivationError.invalidTopK(topK) }
    let layout = EdgeIndex(steps: steps)
    try checkShape(weights, what: "weights", edges: layout.edgeCount, ops: primitives.count)
    let candidates = try candidateColumns(primitives)
    return (0..<steps).map { step in
        let ranked = layout.edges(step: step).map { edge -> (input: Int, op: Int, score: Float) in
            let best = strongest(weights[edge], among: candidates)
            return (edge - layout.offset(step: step), best.column, best.score)
        }.sorted { a, b in a.score != b.score ? a.score > b.score : a.input < b.input }
        return ranked.prefix(topK).map { Connection(primitives[$0.op], $0.input) }
    }
}

/// PC-DARTS derivation (docs/method.md#derivation): each edge's op weights times that edge's weight from edge
/// normalisation, then the DARTS rule. Edge weights must already be softmax-normalised over the
/// incoming edges of each node (PC-DARTS `betas`).
public func derivePCDarts(
    weights: [[Float]], edgeWeights: [Float], primitives: [Primitive], steps: Int, topK: Int = 2
) throws -> [[Connection]] {
    let layout = EdgeIndex(steps: steps)
    guard edgeWeights.count == layout.edgeCount else {
        throw DerivationError.edgeCount(what: "edge weights", expected: layout.edgeCount, got: edgeWeights.count)
    }
    try checkShape(weights, what: "weights", edges: layout.edgeCount, ops: primitives.count)
    let scaled = zip(weights, edgeWeights).map { row, beta in row.map { $0 * beta } }
    return try deriveDarts(weights: scaled, primitives: primitives, steps: steps, topK: topK)
}

/// EnTranNAS-DST readout (docs/method.md#dst): every (op, input) whose sparsified weight q-hat is > 0
/// survives, so nodes get any in-degree and an edge may keep several ops. Listed per node by
/// input, then op column. `none` is skipped even when it survives: it contributes nothing.
///
/// A node normally cannot end up empty (its strongest candidate has ratio 1 > t_j), except when
/// `none` stays in the candidate list and dominates the node (docs/method.md#a5). A cell node without
/// inputs has no defined output, so such a node keeps its strongest non-`none` candidate, taken
/// from `fallbackWeights` (the pre-sparsification weights) when given, else from q-hat.
public func deriveThreshold(
    sparsified: [[Float]], primitives: [Primitive], steps: Int, fallbackWeights: [[Float]]? = nil
) throws -> [[Connection]] {
    let layout = EdgeIndex(steps: steps)
    try checkShape(sparsified, what: "sparsified weights", edges: layout.edgeCount, ops: primitives.count)
    if let fallbackWeights {
        try checkShape(fallbackWeights, what: "fallback weights", edges: layout.edgeCount, ops: primitives.count)
    }
    let candidates = try candidateColumns(primitives)
    return (0..<steps).map { step in
        var kept: [Connection] = []
        for edge in layout.edges(step: step) {
            for column in candidates where sparsified[edge][column] > 0 {
                kept.append(Connection(primitives[column], edge - layout.offset(step: step)))
            }
        }
        if kept.isEmpty {
            let source = fallbackWeights ?? sparsified
            let best = layout.edges(step: step).map { edge in
                (input: edge - layout.offset(step: step), pick: strongest(source[edge], among: candidates))
            }.max { a, b in a.pick.score != b.pick.score ? a.pick.score < b.pick.score : a.input > b.input }!
            kept = [Connection(primitives[best.pick.column], best.input)]
        }
        return kept
    }
}

/// Derives both cells of a genotype with one rule; concat names the last `multiplier` nodes
/// (all of them by default), as DARTS `genotype()` does, so the evaluation cell outputs what the
/// search cell did.
public func deriveGenotype(
    normalWeights: [[Float]], reduceWeights: [[Float]], primitives: [Primitive], steps: Int,
    multiplier: Int? = nil, rule: DerivationRule = .darts()
) throws -> Genotype {
    let multiplier = multiplier ?? steps
    guard multiplier >= 1, multiplier <= steps else { throw DerivationError.invalidMultiplier(multiplier, steps: steps) }
    let normal: [[Connection]]
    let reduce: [[Connection]]
    switch rule {
    case .darts(let topK):
        normal = try deriveDarts(weights: normalWeights, primitives: primitives, steps: steps, topK: topK)
        reduce = try deriveDarts(weights: reduceWeights, primitives: primitives, steps: steps, topK: topK)
    case .pcDarts(let normalEdgeWeights, let reduceEdgeWeights, let topK):
        normal = try derivePCDarts(
            weights: normalWeights, edgeWeights: normalEdgeWeights, primitives: primitives, steps: steps, topK: topK)
        reduce = try derivePCDarts(
            weights: reduceWeights, edgeWeights: reduceEdgeWeights, primitives: primitives, steps: steps, topK: topK)
    case .threshold(let normalFallback, let reduceFallback):
        normal = try deriveThreshold(
            sparsified: normalWeights, primitives: primitives, steps: steps, fallbackWeights: normalFallback)
        reduce = try deriveThreshold(
            sparsified: reduceWeights, primitives: primitives, steps: steps, fallbackWeights: reduceFallback)
    }
    let concat = Array((steps + 2 - multiplier)..<(steps + 2))
    return Genotype(normal: normal, normalConcat: concat, reduce: reduce, reduceConcat: concat)
}

// MARK: - Helpers

private func checkShape(_ weights: [[Float]], what: String, edges: Int, ops: Int) throws {
    guard weights.count == edges else {
        throw DerivationError.edgeCount(what: what, expected: edges, got: weights.count)
    }
    if let bad = weights.firstIndex(where: { $0.count != ops }) {
        throw DerivationError.opCount(what: what, edge: bad, expected: ops, got: weights[bad].count)
    }
}

/// Op columns derivation may choose: every primitive except `none`.
private func candidateColumns(_ primitives: [Primitive]) throws -> [Int] {
    let columns = primitives.indices.filter { primitives[$0] != .none }
    guard !columns.isEmpty else { throw DerivationError.noCandidateOps }
    return columns
}

/// Argmax over `columns` of one edge's weights; the first column wins ties, and NaN ranks
/// lowest so a diverged weight is never preferred.
private func strongest(_ row: [Float], among columns: [Int]) -> (column: Int, score: Float) {
    var best = (column: columns[0], score: rank(row[columns[0]]))
    for column in columns.dropFirst() where rank(row[column]) > best.score {
        best = (column, rank(row[column]))
    }
    return best
}

private func rank(_ weight: Float) -> Float { weight.isNaN ? -.infinity : weight }
