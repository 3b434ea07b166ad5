/// Upper bounds on the sizes a flag or a file may give: far above any network or dataset this
/// toolkit is for, and low enough that no size computed from them overflows and no array is
/// sized beyond memory before the value is checked (a trap is a crash, not an error).
public enum SizeLimits {
    /// Cells of a network (DARTS: 8 to search, 20 and 14 to evaluate).
    public static let layers = 1000
    /// Intermediate nodes of a search cell (DARTS: 4; the edges grow with its square).
    public static let steps = 32
    /// Channels of the first cell, and image channels and classes.
    public static let channels = 1 << 16
    /// Images per batch.
    public static let batchSize = 1 << 20
    /// Epochs of a run.
    public static let epochs = 100_000
    /// Height and width of an image, in pixels.
    public static let imageSide = 1 << 14
    /// Threads of one process, and chunks of one batch.
    public static let threads = 1024
    /// Processes of one machine in a data-parallel run.
    public static let processesPerNode = 1024

    /// A rate or weight handed to libtorch's float32 optimizers: above float32's largest value
    /// it fails inside libtorch ("value cannot be converted to type float without overflow").
    public static let float32 = Double(Float.greatestFiniteMagnitude)

    /// Nil when `value` lies in `range`, else the message "FLAG must lie in LOW...HIGH, got V".
    public static func complaint(_ flag: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "\(flag) must lie in \(range.lowerBound)...\(range.upperBound), got \(value)"
    }
}
