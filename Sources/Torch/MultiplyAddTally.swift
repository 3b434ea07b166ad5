import Synchronization

/// Counts the multiply-adds of the convolutions and linear layers that actually run, while
/// `measure` is on. Benchmarks use it to turn a step's time into GFLOP/s without a model of what
/// each search method computes: DARTS' mixtures, PC-DARTS' channel sampling, EnTranNAS' shared
/// features and DST's pruned Transit-cells are all counted as they ran.
///
/// The convention is the one behind published "multiply-adds" (`MultiplyAddCounter` in NAS):
/// convolutions count output elements x (input channels / groups) x kernel area, linear layers
/// output elements x input features; batch norm, activations, pooling, additions and the
/// mixtures' matrix products are not counted. Only forward calls are seen: autograd's backward
/// pass runs inside libtorch.
public enum MultiplyAddTally {
    private static let total = Atomic<Int>(0)
    private static let active = Atomic<Int>(0)

    /// Runs `body` and returns its result with the multiply-adds of the convolutions and linear
    /// layers it ran, on any thread. Nested or concurrent measures all see each other's calls.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, multiplyAdds: Int) {
        active.add(1, ordering: .sequentiallyConsistent)
        let start = total.load(ordering: .sequentiallyConsistent)
        defer { active.subtract(1, ordering: .sequentiallyConsistent) }
        let result = try body()
        return (result, total.load(ordering: .sequentiallyConsistent) - start)
    }

    /// Adds `count` multiply-adds when a measure is on; a relaxed load otherwise.
    static func add(_ count: @autoclosure () -> Int) {
        guard active.load(ordering: .relaxed) > 0 else { return }
        total.add(count(), ordering: .relaxed)
    }
}
