/// Everything that can go wrong between a path on disk and a batch: each case prints as one line
/// that names the file or setting at fault and, where there is one, the fix.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Nothing usable at `path`; `fix` says how to get the data there.
    case missing(path: String, fix: String)
    /// A file exists but cannot be read as what it should be: bad gzip, wrong magic number,
    /// wrong length, label out of range.
    case corrupt(file: String, reason: String)
    /// A setting that cannot work (unknown dataset name, train portion outside (0, 1), ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missing(path, fix):
            return "dataset not found at \(path): \(fix)"
        case let .corrupt(file, reason):
            return "\(file): \(reason)"
        case let .invalidArgument(message):
            return message
        }
    }
}
