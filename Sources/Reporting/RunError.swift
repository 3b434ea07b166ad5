import Foundation

/// A failure of a long run (training or search) that the user can act on: bad output folder,
/// checkpoint that does not fit, loss that diverged. Always one line naming the thing and the fix.
public struct RunError: DescribedError, Equatable, Sendable {
    /// The one line shown to the user.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
