import Foundation
@testable import Datasets

extension Fixtures {
    /// A smooth image (JPEG keeps it within a few levels): channel c at (y, x) is
    /// (40 c + 2 y + 2 x + shift) mod 256, which does not wrap below 40 x 40 without a shift.
    static func gradient(channels: Int, height: Int, width: Int, shift: Int = 0) -> PixelImage {
        var pixels: [UInt8] = []
        for channel in 0..<channels {
            for y in 0..<height {
                for x in 0..<width { pixels.append(UInt8((40 * channel + 2 * y + 2 * x + shift) % 256)) }
            }
        }
        return try! PixelImage(shape: ImageShape(channels: channels, height: height, width: width), pixels: pixels)
    }

    /// One colour everywhere.
    static func solid(_ colour: [UInt8], height: Int, width: Int) -> PixelImage {
        let pixels = colour.flatMap { [UInt8](repeating: $0, count: height * width) }
        return try! PixelImage(shape: ImageShape(channels: colour.count, height: height, width: width), pixels: pixels)
    }

    /// An ImageFolder under `folder/subfolder`: for each class, `perClass` images alternating
    /// JPEG (even) and PNG (odd), of varying sizes, every third one grey. Returns the paths
    /// written, class by class in name order.
    @discardableResult
    static func writeImageFolder(in folder: TemporaryFolder, subfolder: String, classes: [String], perClass: Int) throws -> [String] {
        var written: [String] = []
        for (label, name) in classes.enumerated() {
            for index in 0..<perClass {
                let channels = index % 3 == 2 ? 1 : 3
                let image = gradient(channels: channels, height: 12 + 2 * index, width: 16 + label, shift: 50 * label)
                let file = "\(subfolder)/\(name)/image\(String(format: "%02d", index))"
                if index % 2 == 0 {
                    written.append(try folder.write(file + ".jpg", JPEG.encode(image, quality: 95)))
                } else {
                    written.append(try folder.write(file + ".png", PNG.encode(image)))
                }
            }
        }
        return written
    }
}
