import Foundation

/// An error whose one-line `description` is the whole message, so `"\(error)"`, the command
/// line's output and Foundation's `localizedDescription` all read the same line. Conforming
/// types only write `description`.
public protocol DescribedError: Error, CustomStringConvertible, LocalizedError {}

extension DescribedError {
    /// The same line as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
