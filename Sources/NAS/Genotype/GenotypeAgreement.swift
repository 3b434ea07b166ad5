/// How far two derived cells agree, to tell a search whose derived cell has settled from one
/// whose last epoch is a snapshot of a cell still changing (docs/usage.md#derived-cell-settling):
/// under EnTranNAS-DST a node may flip between one input and many from epoch to epoch, and the
/// last epoch's cell is then one draw among several.
extension Genotype {
    /// One kept candidate of a genotype: cell type, node (0 = the first intermediate node), input
    /// state and op.
    struct KeptCandidate: Hashable {
        let cell: CellType
        let node: Int
        let connection: Connection
    }

    /// Every (cell, node, input, op) the genotype keeps; a pair listed twice counts once.
    var keptCandidates: Set<KeptCandidate> {
        Set(CellType.allCases.flatMap { cell in
            connections(of: cell).enumerated().flatMap { node, inputs in
                inputs.map { KeptCandidate(cell: cell, node: node, connection: $0) }
            }
        })
    }

    /// The Jaccard index of the two genotypes' kept (cell, node, input, op) candidates: shared
    /// over kept by either, 1 for the same cells, 0 for cells with nothing in common. For two
    /// DARTS cells of 16 pairs, one op changed on one edge reads 15/17 = 0.88.
    public func agreement(with other: Genotype) -> Double {
        let a = keptCandidates, b = other.keptCandidates
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }
}
