/// One part of every batch, for data-parallel work: process `index` of `count` takes its own
/// contiguous rows of each global batch, so the parts are disjoint, cover the batch, and depend
/// only on the batch's position (they stay right across epochs and on resume). Sizes differ by
/// at most one row; the first `size % count` parts get the extra one.
public struct DataShard: Sendable, Equatable {
    /// This part, 0 ..< count.
    public let index: Int
    /// Number of parts.
    public let count: Int

    /// The whole batch (one process).
    public static let whole = DataShard(uncheckedIndex: 0, count: 1)

    /// Part `index` of `count`; throws when `index` is outside 0 ..< count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw DatasetError.invalidArgument("shard \(index) is outside 0..<\(count)")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// This part's rows of a batch of `size` rows.
    public func rows(of size: Int) -> Range<Int> { Self.rows(index, of: count, in: size) }

    /// Rows of part `part` of `parts` in a batch of `size` rows.
    public static func rows(_ part: Int, of parts: Int, in size: Int) -> Range<Int> {
        let base = size / parts, extra = size % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }
}
