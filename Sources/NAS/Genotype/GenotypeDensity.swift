/// How much of the search space a genotype keeps. An EnTranNAS-DST search that pruned little
/// derives a genotype whose nodes sum most of their candidates (docs/method.md#a12): a network
/// many times slower than a DARTS cell that trains poorly, which a user should hear about
/// before spending the training on it.
extension Genotype {
    /// The kept share of one cell's candidates, (input, op) pairs over `candidateOps` ops per
    /// edge: 8 of 98 for a DARTS cell with 7 ops, 1 for a cell that keeps every candidate.
    public func keptFraction(of cell: CellType, candidateOps: Int = 7) -> Double {
        let nodes = connections(of: cell)
        let candidates = nodes.indices.reduce(0) { $0 + ($1 + 2) * candidateOps }
        let kept = nodes.reduce(0) { $0 + Set($1).count }
        return candidates == 0 ? 0 : Double(kept) / Double(candidates)
    }

    /// The largest kept share of one node's candidates over both cells: a DST cell whose pruning
    /// left one dense node (docs/presets.md#dst-dense-node) reads near 1 however much the other
    /// nodes pruned, which the cell's mean hides. 2/14 for DARTS_V2 (its first node, two of 14).
    public func largestNodeShare(candidateOps: Int = 7) -> Double {
        CellType.allCases.flatMap { cell in
            connections(of: cell).enumerated().map { node, inputs in
                Double(Set(inputs).count) / Double((node + 2) * candidateOps)
            }
        }.max() ?? 0
    }

    /// A one-line warning when a cell keeps more than half of its candidates; nil otherwise.
    public var densityWarning: String? {
        let dense = CellType.allCases.map { ($0, keptFraction(of: $0)) }.filter { $0.1 > 0.5 }
        guard !dense.isEmpty else { return nil }
        let cells = dense.map { String(format: "%@ %.0f%%", $0.0.rawValue, 100 * $0.1) }.joined(separator: ", ")
        return "warning: the genotype keeps more than half of the candidate ops (\(cells)); each node sums "
            + "all its inputs, so this network is slow and trains poorly. An EnTranNAS-DST search that pruned "
            + "little derives such cells: check its pruned share (epoch lines, report) and search longer (docs/method.md#dst)."
    }
}
