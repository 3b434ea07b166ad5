/// A rectangle of an image, in whole pixels: rows `top..<top + height`, columns
/// `left..<left + width`. What RandomResizedCrop picks and the resampler reads.
public struct CropWindow: Sendable, Equatable, CustomStringConvertible {
    /// First row.
    public let top: Int
    /// First column.
    public let left: Int
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int

    /// A window from its corner and size; `fits(in:)` checks it against an image.
    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    /// The whole of an image of `shape`.
    public init(covering shape: ImageShape) {
        self.init(top: 0, left: 0, height: shape.height, width: shape.width)
    }

    /// True when the window is not empty and lies inside an image of `shape`.
    public func fits(in shape: ImageShape) -> Bool {
        top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= shape.height && left + width <= shape.width
    }

    public var description: String { "\(height)x\(width) at (\(top), \(left))" }
}
