import Foundation

/// One piece of an experiment that finishes on its own and is never redone: a search, the
/// training from scratch of what a search derived, or the training of a random cell.
public struct ExperimentUnit: Codable, Equatable, Sendable {
    /// What a unit does.
    public enum Kind: String, Codable, Sendable {
        /// A search, or the training from scratch of the cell it derived.
        case search, train
        /// A random cell by the DARTS rule (two inputs per node).
        case randomDarts = "random-darts"
        /// A random cell with EnTranNAS-DST's free in-degree, matched to the searched DST cells.
        case randomDST = "random-dst"
    }

    /// What the unit does.
    public var kind: Kind
    /// The search method (search and train units).
    public var method: SearchMethod?
    /// Search seed (search and train units) or the random cell's index.
    public var seed: UInt64
    /// The training seed of a training unit when the plan trains every cell with several
    /// (`--train-seeds`); nil: the training takes `seed`, one training per cell.
    public var trainSeed: UInt64?

    /// A unit; `method` is nil for random cells, `trainSeed` nil for searches.
    public init(kind: Kind, method: SearchMethod?, seed: UInt64, trainSeed: UInt64? = nil) {
        self.kind = kind
        self.method = method
        self.seed = seed
        self.trainSeed = trainSeed
    }

    private enum CodingKeys: String, CodingKey { case kind, method, seed, trainSeed }

    /// Decodes a unit, refusing a search or training without a method (a result.json from
    /// outside may say anything; `name` needs one).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        method = try container.decodeIfPresent(SearchMethod.self, forKey: .method)
        seed = try container.decode(UInt64.self, forKey: .seed)
        trainSeed = try container.decodeIfPresent(UInt64.self, forKey: .trainSeed)
        if method == nil && (kind == .search || kind == .train) {
            throw DecodingError.dataCorruptedError(forKey: .method, in: container, debugDescription: "a \(kind.rawValue) unit needs a method")
        }
    }

    /// Folder and file name: "search-entrannas-seed1", "train-entrannas-seed1", "random-darts-3",
    /// with "-t2" for training seed 2 when the plan has training seeds.
    public var name: String {
        let training = trainSeed.map { "-t\($0)" } ?? ""
        switch kind {
        case .search, .train: return "\(kind.rawValue)-\(method!.rawValue)-seed\(seed)" + training
        case .randomDarts, .randomDST: return "\(kind.rawValue)-\(seed)" + training
        }
    }

    /// The seed the training of this unit takes.
    public var trainingSeed: UInt64 { trainSeed ?? seed }

    /// The cell a training unit trains, the same for all its training seeds: the unit without
    /// its training seed.
    public var cell: ExperimentUnit { ExperimentUnit(kind: kind, method: method, seed: seed) }
}

/// The order in which units run: per method (cheapest first), each seed's search then its
/// training, the random cells as early as they can run, so the expensive DARTS searches come
/// last and a partial experiment already has its baselines.
public struct ExperimentPlan: Codable, Equatable, Sendable {
    /// Search methods to compare (`--methods`).
    public var methods: [SearchMethod]
    /// Search seeds, one search and one training per method and seed (`--seeds`).
    public var seeds: [UInt64]
    /// Random cells per rule.
    public var randomCells: Int
    /// Training seeds (`--train-seeds`): every searched and random cell is trained once with
    /// each, the same seeds for all (a paired design), and the DST-matched random cells copy a
    /// searched DST cell's in-degree node by node. Nil: one training per cell, seeded with the
    /// search seed or the random cell's index, and random DST cells matched on the mean in-degree
    /// (experiments before the option).
    public var trainSeeds: [UInt64]?

    /// A plan; `validate()` checks it.
    public init(methods: [SearchMethod], seeds: [UInt64], randomCells: Int, trainSeeds: [UInt64]? = nil) {
        self.methods = methods
        self.seeds = seeds
        self.randomCells = randomCells
        self.trainSeeds = trainSeeds
    }

    /// Relative cost of one search step (docs/performance.md#search-step), to order the methods.
    static func cost(_ m: SearchMethod) -> Int {
        switch m {
        case .entrannas: return 1
        case .entrannasDST: return 2
        case .pcDarts: return 3
        case .darts: return 4
        case .darts2nd: return 5
        }
    }

    /// Whether this plan is `stored` with more random cells and nothing else changed: the one
    /// change a resume may make, as random cell k is the same cell whatever the count (a new
    /// seed would change which DST search a DST-matched random cell copies).
    public func grows(_ stored: ExperimentPlan) -> Bool {
        var same = stored
        same.randomCells = randomCells
        return same == self && randomCells > stored.randomCells
    }

    /// Every unit in run order: per method (cheapest first) each seed's search then training,
    /// random cells as early as they can run.
    public var units: [ExperimentUnit] {
        var out: [ExperimentUnit] = []
        let ordered = methods.sorted { Self.cost($0) < Self.cost($1) }
        let indices = (0..<max(0, randomCells)).map { UInt64($0 + 1) }
        let training: [UInt64?] = trainSeeds ?? [nil]
        let randomDarts = indices.flatMap { k in training.map { ExperimentUnit(kind: .randomDarts, method: nil, seed: k, trainSeed: $0) } }
        let randomDST = indices.flatMap { k in training.map { ExperimentUnit(kind: .randomDST, method: nil, seed: k, trainSeed: $0) } }
        for method in ordered {
            for seed in seeds {
                out.append(ExperimentUnit(kind: .search, method: method, seed: seed))
                out += training.map { ExperimentUnit(kind: .train, method: method, seed: seed, trainSeed: $0) }
            }
            // Baselines as early as they can run: DARTS-rule cells after the first method,
            // DST-matched cells after the DST searches whose in-degree they copy.
            if method == ordered.first { out += randomDarts }
            if method == .entrannasDST { out += randomDST }
        }
        return out
    }

    /// The units whose results `unit` needs before it can start: a training needs its search,
    /// a DST-matched random cell every EnTranNAS-DST search (it copies their mean in-degree).
    /// `units` lists each unit after these, so running in plan order always satisfies them.
    public func dependencies(of unit: ExperimentUnit) -> [ExperimentUnit] {
        switch unit.kind {
        case .search, .randomDarts: return []
        case .train: return [ExperimentUnit(kind: .search, method: unit.method, seed: unit.seed)]
        case .randomDST: return seeds.map { ExperimentUnit(kind: .search, method: .entrannasDST, seed: $0) }
        }
    }

    /// Throws a `RunError` naming the flag when the plan is empty or lists a method or seed twice.
    public func validate() throws {
        guard !methods.isEmpty else { throw RunError("--methods lists no method") }
        guard Set(methods).count == methods.count else { throw RunError("--methods lists a method twice") }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else { throw RunError("--seeds needs at least one seed, each once") }
        guard randomCells >= 0 else { throw RunError("--random-cells must be 0 or more, got \(randomCells)") }
        if let trainSeeds, trainSeeds.isEmpty || Set(trainSeeds).count != trainSeeds.count {
            throw RunError("--train-seeds needs at least one seed, each once")
        }
        // Counted before `units` builds them: an experiment.json may claim any count.
        guard let count = unitCount, count <= Self.mostUnits else {
            throw RunError("the plan has \(unitCount.map(String.init) ?? "too many") units (--methods x --seeds x trainings, "
                           + "plus --random-cells x trainings per rule); at most \(Self.mostUnits) can run, each a search or a training")
        }
    }

    /// The largest plan `validate` accepts: already years of CPU time.
    public static let mostUnits = 10_000

    /// How many units `units` lists, computed without listing them; nil if it overflows.
    var unitCount: Int? {
        let trainings = trainSeeds?.count ?? 1
        let rules = methods.contains(.entrannasDST) ? 2 : 1
        let searched = methods.count.multipliedReportingOverflow(by: seeds.count)
        let perSearch = searched.partialValue.multipliedReportingOverflow(by: 1 + trainings)
        let cells = max(randomCells, 0).multipliedReportingOverflow(by: trainings * rules)
        let total = perSearch.partialValue.addingReportingOverflow(cells.partialValue)
        return searched.overflow || perSearch.overflow || cells.overflow || total.overflow ? nil : total.partialValue
    }
}
