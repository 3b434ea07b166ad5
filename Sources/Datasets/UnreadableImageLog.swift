import Foundation

/// The files of one `ImageFiles` found unreadable so far, shared by all its copies and every
/// loader thread (a dataset is a value, its log a reference), so each bad file is read once.
final class UnreadableImageLog: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var indices: Set<Int> = []

    func record(_ index: Int) {
        lock.lock()
        defer { lock.unlock() }
        indices.insert(index)
    }

    func contains(_ index: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return indices.contains(index)
    }

    /// Every recorded index, in increasing order.
    var sorted: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return indices.sorted()
    }
}
