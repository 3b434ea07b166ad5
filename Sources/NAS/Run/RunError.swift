import Foundation

/// A failure of a long run (training or search) that the user can act on: bad output folder,
/// checkpoint that does not fit, loss that diverged. Always one line naming the thing and the fix.
public struct RunError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
    public var errorDescription: String? { message }
}
