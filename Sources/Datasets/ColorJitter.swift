/// torchvision's ColorJitter: brightness, contrast, saturation and hue changed by random
/// factors, the four applied in a random order. DARTS trains on ImageNet with
/// `ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.2)` (`ColorJitter.darts`).
/// Saturation and hue leave grey images alone.
public struct ColorJitter: Sendable, Equatable, CustomStringConvertible {
    /// Brightness factor drawn from `max(0, 1 - brightness)...1 + brightness`; 0 turns it off.
    public var brightness: Double
    /// Contrast factor, drawn likewise.
    public var contrast: Double
    /// Saturation factor, drawn likewise.
    public var saturation: Double
    /// Hue shift drawn from `-hue...hue` of a full turn, at most 0.5.
    public var hue: Double

    /// Each amount 0 (off) unless given.
    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    /// DARTS' ImageNet setting (`train_imagenet.py`).
    public static let darts = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.2)

    public var description: String { "color-jitter(\(brightness), \(contrast), \(saturation), \(hue))" }

    func validate() throws {
        guard [brightness, contrast, saturation].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw DatasetError.invalidArgument("color jitter brightness, contrast and saturation must be 0 or more, got \(self)")
        }
        guard (0...0.5).contains(hue) else {
            throw DatasetError.invalidArgument("color jitter hue must lie in 0...0.5, got \(hue)")
        }
    }

    /// Jitters one channel-major 8-bit image in place. Draws, as torchvision's `get_params`:
    /// the order of the four (a shuffle), then the factor of each one that is on.
    public func apply(_ image: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, random: inout Xoshiro256) {
        var order = [0, 1, 2, 3]
        random.shuffle(&order)
        func factor(_ amount: Double) -> Float? {
            amount > 0 ? Float(random.uniform(max(0, 1 - amount)...(1 + amount))) : nil
        }
        let brightnessFactor = factor(brightness)
        let contrastFactor = factor(contrast)
        let saturationFactor = factor(saturation)
        let hueShift = hue > 0 ? Float(random.uniform(-hue...hue)) : nil
        for step in order {
            switch step {
            case 0: if let brightnessFactor { ImageTransforms.adjustBrightness(image, shape: shape, factor: brightnessFactor) }
            case 1: if let contrastFactor { ImageTransforms.adjustContrast(image, shape: shape, factor: contrastFactor) }
            case 2: if let saturationFactor { ImageTransforms.adjustSaturation(image, shape: shape, factor: saturationFactor) }
            default: if let hueShift { ImageTransforms.adjustHue(image, shape: shape, shift: hueShift) }
            }
        }
    }
}
