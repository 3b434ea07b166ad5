/// The bi-level search's cut of the training set (DARTS `--train_portion`): one part trains the
/// network weights w, the other the architecture parameters alpha. The cut is made class by
/// class, so both parts keep the training set's class balance, and depends only on the seed.
public struct SearchSplit: Sendable, Equatable {
    /// Images for the weight step (DARTS's `train_queue`).
    public let weightIndices: [Int]
    /// Images for the architecture step (DARTS's `valid_queue`).
    public let architectureIndices: [Int]

    /// DARTS' split: `trainPortion` of the (possibly limited) images for the weights, the rest
    /// for the architecture, class by class.
    /// - Parameters:
    ///   - labels: every training image's class.
    ///   - classCount: number of classes; every label must lie in 0 ..< classCount.
    ///   - trainPortion: the weight part's share, strictly between 0 and 1 (default 0.5).
    ///   - limit: use only this many training images in all, the same number from every class
    ///     (the first `limit % classCount` classes get one more), for quick runs.
    ///   - seed: picks the images; the same seed gives the same split.
    public init(labels: [Int32], classCount: Int, trainPortion: Double = 0.5, limit: Int? = nil, seed: UInt64) throws {
        guard trainPortion > 0, trainPortion < 1 else {
            throw DatasetError.invalidArgument("train portion must be strictly between 0 and 1, got \(trainPortion)")
        }
        var random = Xoshiro256(seed: SplitMix64.key(seed, 0x5350_4C49_54))  // "SPLIT"
        let byClass = try Self.balancedClasses(labels: labels, classCount: classCount, limit: limit, random: &random)
        let total = byClass.reduce(0) { $0 + $1.count }
        let weightTotal = Int((Double(total) * trainPortion).rounded())
        guard weightTotal > 0, weightTotal < total else {
            throw DatasetError.invalidArgument(
                "train portion \(trainPortion) of \(total) images leaves one part of the search split empty")
        }
        // Each class gives floor(n * portion); the images still owed go one each to the classes
        // with the largest remainders, so the total is exact and every class within one of its share.
        var shares = byClass.map { Int((Double($0.count) * trainPortion).rounded(.down)) }
        let owed = weightTotal - shares.reduce(0, +)
        let byRemainder = byClass.indices.sorted { a, b in
            let ra = Double(byClass[a].count) * trainPortion - Double(shares[a])
            let rb = Double(byClass[b].count) * trainPortion - Double(shares[b])
            return ra != rb ? ra > rb : a < b
        }
        for index in byRemainder.prefix(max(0, owed)) { shares[index] += 1 }

        var weights: [Int] = []
        var architecture: [Int] = []
        for (members, share) in zip(byClass, shares) {
            weights += members[..<share]
            architecture += members[share...]
        }
        random.shuffle(&weights)
        random.shuffle(&architecture)
        weightIndices = weights
        architectureIndices = architecture
    }

    /// PC-DARTS' split for a search on ImageNet: `weightFraction` of every class's images for the
    /// weights and another `architectureFraction` of them for the architecture (PC-DARTS: 0.1 and
    /// 0.025), disjoint, drawn per class by the seed, so both subsets keep the class balance.
    /// Each class gives round(n x fraction) images to each part.
    public init(labels: [Int32], classCount: Int, weightFraction: Double, architectureFraction: Double, seed: UInt64) throws {
        guard weightFraction > 0, architectureFraction > 0, weightFraction + architectureFraction <= 1 else {
            throw DatasetError.invalidArgument("the weight and architecture fractions must be positive with a sum of at most 1, "
                                               + "got \(weightFraction) and \(architectureFraction)")
        }
        var random = Xoshiro256(seed: SplitMix64.key(seed, 0x4652_4143))  // "FRAC"
        let byClass = try Self.balancedClasses(labels: labels, classCount: classCount, limit: nil, random: &random)
        var weights: [Int] = [], architecture: [Int] = []
        for members in byClass {
            let w = Int((Double(members.count) * weightFraction).rounded())
            let a = min(members.count - w, Int((Double(members.count) * architectureFraction).rounded()))
            weights += members[..<w]
            architecture += members[w..<(w + a)]
        }
        guard !weights.isEmpty, !architecture.isEmpty else {
            throw DatasetError.invalidArgument("fractions \(weightFraction) and \(architectureFraction) of \(labels.count) images "
                                               + "leave one part of the search split empty; raise them")
        }
        random.shuffle(&weights)
        random.shuffle(&architecture)
        weightIndices = weights
        architectureIndices = architecture
    }

    public init(dataset: Dataset, trainPortion: Double = 0.5, limit: Int? = nil, seed: UInt64) throws {
        try self.init(labels: dataset.labels, classCount: dataset.classCount, trainPortion: trainPortion,
                      limit: limit, seed: seed)
    }

    /// `limit` images (all when nil) drawn evenly across classes, in a seeded order; for quick
    /// evaluation runs that should keep the class balance too.
    public static func balancedIndices(labels: [Int32], classCount: Int, limit: Int?, seed: UInt64) throws -> [Int] {
        var random = Xoshiro256(seed: SplitMix64.key(seed, 0x4C49_4D49_54))  // "LIMIT"
        var indices = try balancedClasses(labels: labels, classCount: classCount, limit: limit, random: &random)
            .flatMap { $0 }
        random.shuffle(&indices)
        return indices
    }

    /// Each class's image indices, shuffled, cut to its share of `limit` when there is one.
    private static func balancedClasses(
        labels: [Int32], classCount: Int, limit: Int?, random: inout Xoshiro256
    ) throws -> [[Int]] {
        guard classCount > 0 else { throw DatasetError.invalidArgument("a split needs at least one class") }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() {
            guard label >= 0, Int(label) < classCount else {
                throw DatasetError.invalidArgument("image \(index) has label \(label), outside 0..<\(classCount)")
            }
            byClass[Int(label)].append(index)
        }
        for index in byClass.indices { random.shuffle(&byClass[index]) }
        guard let limit else { return byClass }
        guard limit >= classCount, limit <= labels.count else {
            throw DatasetError.invalidArgument(
                "limit \(limit) must lie between the class count \(classCount) and the \(labels.count) training images")
        }
        for index in byClass.indices {
            let quota = limit / classCount + (index < limit % classCount ? 1 : 0)
            guard byClass[index].count >= quota else {
                throw DatasetError.invalidArgument(
                    "limit \(limit) needs \(quota) images of class \(index), the training set has \(byClass[index].count)")
            }
            byClass[index] = Array(byClass[index][..<quota])
        }
        return byClass
    }
}
