/// How long an experiment's remaining units will take, judged by its finished ones: each unit at
/// the mean wall time of the finished units most like it (same kind and method, else same kind,
/// else any), spread over `jobs` at once. An estimate for the progress line, not a promise:
/// units of one kind still differ (a DST cell's cost follows its in-degree), and dependencies
/// can keep a job idle.
public enum ExperimentETA {
    /// Seconds until every unit of `units` has a result, or nil before any unit has finished.
    public static func secondsLeft(units: [ExperimentUnit], finished: [UnitResult], jobs: Int) -> Double? {
        func mean(_ results: [UnitResult]) -> Double? {
            results.isEmpty ? nil : results.map(\.seconds).reduce(0, +) / Double(results.count)
        }
        guard let any = mean(finished) else { return nil }
        let left = units.filter { unit in !finished.contains { $0.unit == unit } }
        let seconds = left.map { unit in
            mean(finished.filter { $0.unit.kind == unit.kind && $0.unit.method == unit.method })
                ?? mean(finished.filter { $0.unit.kind == unit.kind }) ?? any
        }
        return seconds.reduce(0, +) / Double(max(jobs, 1))
    }
}
