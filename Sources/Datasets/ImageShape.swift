/// The shape of one image, stored channel-major: `channels` planes of `height` rows of `width`.
public struct ImageShape: Sendable, Equatable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image.
    public var count: Int { channels * height * width }
    public var planeCount: Int { height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}
