import XCTest
@testable import Datasets

final class ResamplingTests: XCTestCase {
    func resized(_ image: PixelImage, window: CropWindow, to height: Int, _ width: Int) -> [UInt8] {
        let shape = ImageShape(channels: image.channels, height: height, width: width)
        var output = [UInt8](repeating: 0, count: shape.count)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                ImageTransforms.resizedCrop(source, shape: image.shape, window: window, resizedHeight: height,
                                            resizedWidth: width, into: output, shape: shape)
            }
        }
        return output
    }

    func testSameSizeIsACopyAndFlatStaysFlat() {
        let image = Fixtures.gradient(channels: 3, height: 9, width: 13)
        XCTAssertEqual(resized(image, window: CropWindow(covering: image.shape), to: 9, 13), image.pixels)
        let flat = Fixtures.solid([7, 130, 250], height: 30, width: 40)
        for (height, width) in [(8, 8), (64, 50), (30, 7)] {
            let output = resized(flat, window: CropWindow(top: 3, left: 5, height: 20, width: 31), to: height, width)
            XCTAssertEqual(Set(output.prefix(height * width)), [7], "\(height)x\(width)")
            XCTAssertEqual(Set(output.suffix(height * width)), [250], "\(height)x\(width)")
        }
    }

    func testSamplesOnlyInsideTheWindow() throws {
        // Left half 0, right half 200: a window on the right half never sees the left.
        var pixels = [UInt8](repeating: 0, count: 20 * 40)
        for y in 0..<20 { for x in 20..<40 { pixels[y * 40 + x] = 200 } }
        let image = try PixelImage(shape: ImageShape(channels: 1, height: 20, width: 40), pixels: pixels)
        XCTAssertEqual(Set(resized(image, window: CropWindow(top: 0, left: 20, height: 20, width: 20), to: 6, 6)), [200])
    }

    func testShrinkingAveragesInsteadOfSkipping() throws {
        // Alternating columns 0 / 255: a 2-tap bilinear would pick columns and keep the stripes;
        // Pillow's widened filter averages them to mid-grey.
        let pixels = (0..<(8 * 64)).map { UInt8($0 % 2 == 0 ? 0 : 255) }
        let image = try PixelImage(shape: ImageShape(channels: 1, height: 8, width: 64), pixels: pixels)
        let output = resized(image, window: CropWindow(covering: image.shape), to: 8, 16)
        XCTAssertTrue(output.allSatisfy { (112...143).contains($0) }, "\(Set(output))")
    }

    func testEnlargingInterpolatesBetweenNeighbours() throws {
        let image = try PixelImage(shape: ImageShape(channels: 1, height: 1, width: 2), pixels: [0, 200])
        // Pixel centres at 0.25, 0.75, ... of the source: 0, 0, 50, 150, 200, 200 (edges clamp).
        XCTAssertEqual(resized(image, window: CropWindow(covering: image.shape), to: 1, 4), [0, 50, 150, 200])
    }

    func testResizeAndCenterCropSizes() {
        XCTAssertTrue(ImageTransforms.resizedSize(height: 300, width: 400, shorterSide: 256) == (256, 341))
        XCTAssertTrue(ImageTransforms.resizedSize(height: 500, width: 375, shorterSide: 256) == (341, 256))
        // A wide image, 100 in columns 24..<66 and 0 outside: resized to 10 x 30 and cropped to
        // its middle 10 columns (source columns 30..<60 and the filter's reach), only 100 is left.
        var pixels = [UInt8](repeating: 0, count: 30 * 90)
        for y in 0..<30 { for x in 24..<66 { pixels[y * 90 + x] = 100 } }
        let shape = ImageShape(channels: 1, height: 10, width: 10)
        var output = [UInt8](repeating: 0, count: 100)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                ImageTransforms.resizeAndCenterCrop(source, shape: ImageShape(channels: 1, height: 30, width: 90),
                                                    resizeSide: 10, into: output, shape: shape)
            }
        }
        XCTAssertEqual(Set(output), [100])
    }
}
