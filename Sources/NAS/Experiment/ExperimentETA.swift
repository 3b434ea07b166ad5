/// How long an experiment's remaining units will take, judged by its finished ones: each unit at
/// the mean wall time of the finished units most like it (same kind and method, else same kind,
/// else any), spread over `jobs` at once. An estimate for the progress line, not a promise:
/// units of one kind still differ (a DST cell's cost follows its in-degree), and dependencies
/// can keep a job idle.
public enum ExperimentETA {
    /// Seconds until every unit of `units` has a result, or nil before any unit has finished.
    public static func secondsLeft(units: [ExperimentUnit], finished: [UnitResult], jobs: Int) -> Double? {
        guard !finished.isEmpty else { return nil }
        // Mean seconds per group, each computed once: at the plan's 10,000-unit cap a lookup per
        // unit left would cost 10^8 comparisons.
        func means(_ key: (ExperimentUnit) -> String) -> [String: Double] {
            Dictionary(grouping: finished) { key($0.unit) }.mapValues { $0.map(\.seconds).reduce(0, +) / Double($0.count) }
        }
        let kindAndMethod = { (unit: ExperimentUnit) in "\(unit.kind.rawValue) \(unit.method?.rawValue ?? "")" }
        let byMethod = means(kindAndMethod), byKind = means(\.kind.rawValue)
        let any = finished.map(\.seconds).reduce(0, +) / Double(finished.count)
        let done = Set(finished.map(\.unit.name))
        let seconds = units.filter { !done.contains($0.name) }.map { unit in
            byMethod[kindAndMethod(unit)] ?? byKind[unit.kind.rawValue] ?? any
        }
        return seconds.reduce(0, +) / Double(max(jobs, 1))
    }
}
