import XCTest
@testable import Datasets

final class ImageTransformsTests: XCTestCase {
    let shape = ImageShape(channels: 2, height: 5, width: 7)

    func image() -> [Float] { (0..<70).map { Float($0 + 1) } }

    func crop(_ source: [Float], padding: Int, offsetY: Int, offsetX: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: source.count)
        source.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                ImageTransforms.crop(source, into: output, shape: shape, padding: padding,
                                     offsetY: offsetY, offsetX: offsetX, fill: -1)
            }
        }
        return output
    }

    func testCropKeepsTheShapeAndShiftsTheContent() {
        let source = image()
        XCTAssertEqual(crop(source, padding: 2, offsetY: 2, offsetX: 2), source, "the centred window is the image")
        for offsetY in 0...4 {
            for offsetX in 0...4 {
                let output = crop(source, padding: 2, offsetY: offsetY, offsetX: offsetX)
                XCTAssertEqual(output.count, shape.count)
                XCTAssertFalse(output.contains { $0.isNaN }, "every output value is written")
                for channel in 0..<2 {
                    for y in 0..<5 {
                        for x in 0..<7 {
                            let (sourceY, sourceX) = (y + offsetY - 2, x + offsetX - 2)
                            let inside = (0..<5).contains(sourceY) && (0..<7).contains(sourceX)
                            let expected = inside ? source[channel * 35 + sourceY * 7 + sourceX] : -1
                            XCTAssertEqual(output[channel * 35 + y * 7 + x], expected)
                        }
                    }
                }
            }
        }
    }

    func testCropWithPaddingWiderThanTheImage() {
        let output = crop(image(), padding: 8, offsetY: 0, offsetX: 16)
        XCTAssertEqual(output, [Float](repeating: -1, count: 70))
    }

    func testFlipTwiceIsTheIdentity() {
        let source = image()
        var flipped = source
        flipped.withUnsafeMutableBufferPointer { ImageTransforms.flipHorizontally($0, shape: shape) }
        XCTAssertEqual(Array(flipped[0..<7]), [7, 6, 5, 4, 3, 2, 1])
        XCTAssertNotEqual(flipped, source)
        flipped.withUnsafeMutableBufferPointer { ImageTransforms.flipHorizontally($0, shape: shape) }
        XCTAssertEqual(flipped, source)
    }

    func testCutoutZeroesAtMostLengthSquaredPixelsPerChannel() {
        for length in [1, 2, 3, 4, 16] {
            for centerY in 0..<5 {
                for centerX in 0..<7 {
                    var values = image()
                    let zeroed = values.withUnsafeMutableBufferPointer {
                        ImageTransforms.cutout($0, shape: shape, centerY: centerY, centerX: centerX, length: length)
                    }
                    XCTAssertLessThanOrEqual(zeroed, length * length)
                    XCTAssertEqual(values.filter { $0 == 0 }.count, 2 * zeroed, "the same square in every channel")
                    XCTAssertEqual(values[35 + centerY * 7 + centerX] == 0, length >= 2, "the centre is cut once length >= 2")
                }
            }
        }
    }

    func testNormalisationTable() {
        let statistics = ChannelStatistics(mean: [0.5, 0.25], std: [0.5, 0.25])
        let table = ImageTransforms.normalisationTable(channels: 2, statistics: statistics)
        XCTAssertEqual(table[0], -1, accuracy: 1e-6)
        XCTAssertEqual(table[255], 1, accuracy: 1e-6)
        XCTAssertEqual(table[256], -1, accuracy: 1e-6)
        XCTAssertEqual(table[511], 3, accuracy: 1e-6)
        let plain = ImageTransforms.normalisationTable(channels: 1, statistics: nil)
        XCTAssertEqual(plain[255], 1)
        XCTAssertEqual(plain[51], 0.2, accuracy: 1e-6)
    }
}
