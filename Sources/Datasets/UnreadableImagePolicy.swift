/// What a folder dataset does with a file that cannot be read or decoded (truncated download,
/// a stray text file named `.jpg`), found when a batch needs it.
public enum UnreadableImagePolicy: String, Codable, Sendable, CaseIterable {
    /// The batch fails with an error naming the file (`Batch(host)` throws it). The default:
    /// a broken dataset is worth knowing about before hours of training.
    case stop
    /// The image is replaced, deterministically, by the next readable image of the epoch's
    /// order (wrapping round), augmented with the skipped position's random draws, so every
    /// batch keeps its size and a resumed epoch replays the same batches. Skipped files are
    /// counted (`ImageFiles.unreadableCount`) and never read again.
    case skip
}
