import Foundation

/// The GPUs an experiment's units share when several run at once (`--jobs`): each unit takes
/// the GPU with the fewest units on it (the lowest index among equals) and gives it back when it
/// ends, so N jobs on N GPUs put one unit on each, as one trial per GPU in other NAS tools.
public final class GPUSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var users: [Int]

    /// Slots over `count` GPUs, indices 0 ..< count.
    public init(count: Int) {
        precondition(count > 0, "GPUSlots needs at least one GPU")
        users = Array(repeating: 0, count: count)
    }

    /// The index of the least busy GPU, now counted as busier by one.
    public func acquire() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let index = users.indices.min { users[$0] < users[$1] }!
        users[index] += 1
        return index
    }

    /// Gives back a GPU that `acquire` returned.
    public func release(_ index: Int) {
        lock.lock()
        defer { lock.unlock() }
        users[index] -= 1
    }
}
