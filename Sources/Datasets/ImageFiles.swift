/// A dataset's images kept as files and decoded when a batch needs them, so a dataset of any
/// size (ImageNet: 1.28 million files, 140 GB decoded) costs memory only for its paths. Files
/// decode to whatever size they have; the loader brings each to `outputSize` x `outputSize`:
/// a random resized crop when the augmentation has one (training), otherwise torchvision's
/// evaluation sizing, the shorter side resized to `resizeSide`, then the centre crop.
public struct ImageFiles: Sendable {
    /// One path per image, in the dataset's order.
    public let paths: [String]
    /// Channels of every image after decoding: 3 (grey files repeated to RGB) or 1 (colour
    /// files reduced to luma), so one folder can mix both.
    public let channels: Int
    /// Side of the square images the loader makes.
    public let outputSize: Int
    /// The shorter side before the evaluation centre crop: `outputSize * 256 / 224` unless
    /// given (256 for 224, as ImageNet evaluation resizes; 37 for 32).
    public let resizeSide: Int
    /// What a batch does about a file that cannot be read or decoded.
    public let unreadable: UnreadableImagePolicy
    private let log = UnreadableImageLog()

    /// Checks the settings; reads no file (a missing or broken one shows when a batch needs it).
    public init(paths: [String], channels: Int = 3, outputSize: Int, resizeSide: Int? = nil,
                unreadable: UnreadableImagePolicy = .stop) throws {
        guard channels == 1 || channels == 3 else {
            throw DatasetError.invalidArgument("image files decode to 1 (grey) or 3 (RGB) channels, not \(channels)")
        }
        guard outputSize > 0 else { throw DatasetError.invalidArgument("output size must be positive, got \(outputSize)") }
        let resizeSide = resizeSide ?? Self.defaultResizeSide(outputSize: outputSize)
        guard resizeSide >= outputSize else {
            throw DatasetError.invalidArgument("resize side \(resizeSide) is smaller than the output size \(outputSize) cropped from it")
        }
        self.paths = paths
        self.channels = channels
        self.outputSize = outputSize
        self.resizeSide = resizeSide
        self.unreadable = unreadable
    }

    /// ImageNet's ratio, Resize(256) before CenterCrop(224), kept for other output sizes.
    public static func defaultResizeSide(outputSize: Int) -> Int {
        Int((Double(outputSize) * 256 / 224).rounded())
    }

    /// The shape of the images the loader makes from these files.
    public var shape: ImageShape { ImageShape(channels: channels, height: outputSize, width: outputSize) }

    /// How many files have been found unreadable so far (under `.skip`; under `.stop` the
    /// first one ends the run).
    public var unreadableCount: Int { log.sorted.count }

    /// The paths of the files found unreadable so far, in dataset order.
    public var unreadablePaths: [String] { log.sorted.map { paths[$0] } }

    /// Reads and decodes file `index`, converted to `channels`. A failure is a
    /// `DatasetError.corrupt` naming the file and the fix; nothing is recorded.
    public func image(at index: Int) throws -> PixelImage {
        let path = paths[index]
        do {
            return try PixelImage(contentsOf: path).converted(toChannels: channels)
        } catch let DatasetError.corrupt(file, reason) {
            throw DatasetError.corrupt(
                file: file, reason: reason + "; replace or delete the file, or skip unreadable images (--unreadable skip, UnreadableImagePolicy.skip)")
        }
    }

    /// The image for position `position` of an epoch whose order is `order`, and which
    /// dataset index it really is: under `.stop` that position's image or the error; under
    /// `.skip` the first readable image from that position on, wrapping round (see
    /// `UnreadableImagePolicy.skip`). Fails only when no image of the order can be read.
    func image(forPosition position: Int, in order: [Int]) throws -> (index: Int, image: PixelImage) {
        guard unreadable == .skip else {
            let index = order[position]
            return (index, try image(at: index))
        }
        for step in 0..<order.count {
            let index = order[(position + step) % order.count]
            if log.contains(index) { continue }
            do {
                return (index, try image(at: index))
            } catch {
                log.record(index)
            }
        }
        throw DatasetError.corrupt(
            file: paths[order[position]],
            reason: "unreadable, as is every one of the \(order.count) images this loader draws from; check the folder")
    }
}
