import Foundation

/// torchvision's RandomResizedCrop (Szegedy et al. 2015, the Inception crop that ImageNet
/// training in DARTS uses): a window of random area and aspect ratio, later resized to the
/// output size. Only the window is chosen here; `ImageTransforms.resizedCrop` resizes it.
public struct RandomResizedCrop: Sendable, Equatable, CustomStringConvertible {
    /// The window's area as a share of the image's.
    public var scale: ClosedRange<Double>
    /// The window's width / height, drawn uniformly on a log scale.
    public var ratio: ClosedRange<Double>

    /// torchvision's defaults: area 8%...100%, ratio 3/4...4/3.
    public init(scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
        self.scale = scale
        self.ratio = ratio
    }

    public var description: String { "random-resized-crop(scale \(scale.lowerBound)-\(scale.upperBound))" }

    func validate() throws {
        guard scale.lowerBound > 0, scale.upperBound <= 1 else {
            throw DatasetError.invalidArgument("random resized crop scale must lie in (0, 1], got \(scale)")
        }
        guard ratio.lowerBound > 0, ratio.upperBound.isFinite else {
            throw DatasetError.invalidArgument("random resized crop ratio must be positive and finite, got \(ratio)")
        }
    }

    /// torchvision's `get_params`: up to 10 tries of a random area and log-uniform ratio,
    /// rounded half to even as Python rounds, until the window fits; then the fallback, a
    /// centred window of the whole image clamped to the ratio range. Draws per try: area,
    /// ratio, and on success top then left.
    public func window(height: Int, width: Int, random: inout Xoshiro256) -> CropWindow {
        let area = Double(height * width)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * random.uniform(scale)
            let aspectRatio = exp(random.uniform(logRatio))
            let cropWidth = Int((targetArea * aspectRatio).squareRoot().rounded(.toNearestOrEven))
            let cropHeight = Int((targetArea / aspectRatio).squareRoot().rounded(.toNearestOrEven))
            if cropWidth > 0, cropWidth <= width, cropHeight > 0, cropHeight <= height {
                let top = random.below(height - cropHeight + 1)
                let left = random.below(width - cropWidth + 1)
                return CropWindow(top: top, left: left, height: cropHeight, width: cropWidth)
            }
        }
        let inputRatio = Double(width) / Double(height)
        var cropWidth = width
        var cropHeight = height
        if inputRatio < ratio.lowerBound {
            cropHeight = Int((Double(cropWidth) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inputRatio > ratio.upperBound {
            cropWidth = Int((Double(cropHeight) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        cropHeight = max(1, min(cropHeight, height))
        cropWidth = max(1, min(cropWidth, width))
        return CropWindow(top: (height - cropHeight) / 2, left: (width - cropWidth) / 2,
                          height: cropHeight, width: cropWidth)
    }
}
