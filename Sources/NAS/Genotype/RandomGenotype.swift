import Datasets

/// Random cells from the search space: the baseline every searched cell must beat ("random
/// search", Li and Talwalkar 2019; Yang et al., "NAS evaluation is frustratingly hard", 2020).
extension Genotype {
    /// DARTS rule: each intermediate node takes `inputsPerNode` distinct inputs, each with an op
    /// drawn uniformly from the candidates (`none` excluded), as DARTS' random baseline draws them.
    public static func random(primitives: [Primitive], steps: Int = 4, inputsPerNode: Int = 2, seed: UInt64) -> Genotype {
        var rng = SplitMix64(seed: SplitMix64.key(seed, 0x7261_6E64))
        let ops = primitives.filter { $0 != .none }
        func cell() -> [[Connection]] {
            (0..<steps).map { step in
                var inputs = Array(0..<(step + 2))
                inputs.shuffle(using: &rng)
                return inputs.prefix(min(inputsPerNode, step + 2)).sorted().map { Connection(ops.randomElement(using: &rng)!, $0) }
            }
        }
        let concat = Array(2..<(steps + 2))
        return Genotype(normal: cell(), normalConcat: concat, reduce: cell(), reduceConcat: concat)
    }

    /// EnTranNAS-DST's free topology: each cell type gets round(meanInDegree * steps) distinct
    /// (input, op) pairs, every node at least one, the rest placed uniformly among the pairs left,
    /// so the cell's mean in-degree matches the searched cells'. Several ops may share an edge.
    public static func random(primitives: [Primitive], steps: Int = 4, meanInDegree: (normal: Double, reduce: Double),
                              seed: UInt64) -> Genotype {
        var rng = SplitMix64(seed: SplitMix64.key(seed, 0x6473_74))
        let ops = primitives.filter { $0 != .none }
        func cell(_ degree: Double) -> [[Connection]] {
            let pairs = (0..<steps).map { step in (0..<(step + 2)).flatMap { input in ops.map { Connection($0, input) } } }
            let capacity = pairs.reduce(0) { $0 + $1.count }
            let total = min(capacity, max(steps, Int((degree * Double(steps)).rounded())))
            var chosen = pairs.map { [$0.randomElement(using: &rng)!] }
            var remaining = pairs.enumerated().flatMap { step, list in list.filter { !chosen[step].contains($0) }.map { (step, $0) } }
            remaining.shuffle(using: &rng)
            for (step, pair) in remaining.prefix(total - steps) { chosen[step].append(pair) }
            return chosen.map { node in node.sorted { ($0.input, ops.firstIndex(of: $0.op)!) < ($1.input, ops.firstIndex(of: $1.op)!) } }
        }
        let concat = Array(2..<(steps + 2))
        return Genotype(normal: cell(meanInDegree.normal), normalConcat: concat, reduce: cell(meanInDegree.reduce), reduceConcat: concat)
    }

    /// EnTranNAS-DST's free topology matched node by node: node j of each cell type takes
    /// exactly `inDegrees[j]` distinct (input, op) pairs drawn uniformly from the pairs it can
    /// have (capped at their number, at least one), so a random cell has the searched cell's
    /// dense and sparse nodes where it has them, not only its mean in-degree.
    public static func random(primitives: [Primitive], inDegrees: (normal: [Int], reduce: [Int]), seed: UInt64) -> Genotype {
        var rng = SplitMix64(seed: SplitMix64.key(seed, 0x6e6f_6465))
        let ops = primitives.filter { $0 != .none }
        func cell(_ degrees: [Int]) -> [[Connection]] {
            degrees.enumerated().map { step, degree in
                var pairs = (0..<(step + 2)).flatMap { input in ops.map { Connection($0, input) } }
                pairs.shuffle(using: &rng)
                return pairs.prefix(min(pairs.count, max(1, degree)))
                    .sorted { ($0.input, ops.firstIndex(of: $0.op)!) < ($1.input, ops.firstIndex(of: $1.op)!) }
            }
        }
        return Genotype(normal: cell(inDegrees.normal), normalConcat: Array(2..<(inDegrees.normal.count + 2)),
                        reduce: cell(inDegrees.reduce), reduceConcat: Array(2..<(inDegrees.reduce.count + 2)))
    }

    /// Number of (input, op) pairs of each intermediate node of one cell type.
    public func inDegrees(_ type: CellType) -> [Int] { connections(of: type).map(\.count) }

    /// Mean number of (input, op) pairs per intermediate node of one cell type.
    public func meanInDegree(_ type: CellType) -> Double {
        let nodes = connections(of: type)
        return Double(nodes.reduce(0) { $0 + $1.count }) / Double(max(1, nodes.count))
    }
}
