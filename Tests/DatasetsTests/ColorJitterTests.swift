import XCTest
@testable import Datasets

final class ColorJitterTests: XCTestCase {
    func adjusted(_ image: PixelImage, _ adjust: (UnsafeMutableBufferPointer<UInt8>, ImageShape) -> Void) -> [UInt8] {
        var pixels = image.pixels
        pixels.withUnsafeMutableBufferPointer { adjust($0, image.shape) }
        return pixels
    }

    func testFactorOneChangesNothingAndZeroGoesToTheDegenerateImage() {
        let image = Fixtures.gradient(channels: 3, height: 6, width: 7, shift: 30)
        XCTAssertEqual(adjusted(image) { ImageTransforms.adjustBrightness($0, shape: $1, factor: 1) }, image.pixels)
        XCTAssertEqual(adjusted(image) { ImageTransforms.adjustContrast($0, shape: $1, factor: 1) }, image.pixels)
        XCTAssertEqual(adjusted(image) { ImageTransforms.adjustSaturation($0, shape: $1, factor: 1) }, image.pixels)
        XCTAssertEqual(adjusted(image) { ImageTransforms.adjustHue($0, shape: $1, shift: 0) }, image.pixels)
        XCTAssertEqual(Set(adjusted(image) { ImageTransforms.adjustBrightness($0, shape: $1, factor: 0) }), [0])
        XCTAssertEqual(Set(adjusted(image) { ImageTransforms.adjustContrast($0, shape: $1, factor: 0) }).count, 1, "one flat grey")
        let grey = adjusted(image) { ImageTransforms.adjustSaturation($0, shape: $1, factor: 0) }
        XCTAssertEqual(grey[0..<42], grey[42..<84], "R = G")
        XCTAssertEqual(grey[42..<84], grey[84...], "G = B")
    }

    func testHueTurnsRedToGreenAndLeavesGreyAlone() {
        let red = Fixtures.solid([255, 0, 0], height: 2, width: 2)
        XCTAssertEqual(adjusted(red) { ImageTransforms.adjustHue($0, shape: $1, shift: 1.0 / 3) },
                       Fixtures.solid([0, 255, 0], height: 2, width: 2).pixels)
        XCTAssertEqual(adjusted(red) { ImageTransforms.adjustHue($0, shape: $1, shift: -1.0 / 3) },
                       Fixtures.solid([0, 0, 255], height: 2, width: 2).pixels)
        let grey = Fixtures.solid([90, 90, 90], height: 2, width: 2)
        XCTAssertEqual(adjusted(grey) { ImageTransforms.adjustHue($0, shape: $1, shift: 0.2) }, grey.pixels)
        let single = Fixtures.gradient(channels: 1, height: 3, width: 3)
        XCTAssertEqual(adjusted(single) { ImageTransforms.adjustSaturation($0, shape: $1, factor: 0) }, single.pixels)
    }

    func testJitterIsAFunctionOfTheDraws() {
        let image = Fixtures.gradient(channels: 3, height: 8, width: 8, shift: 60)
        func jittered(seed: UInt64) -> [UInt8] {
            var random = Xoshiro256(seed: seed)
            return adjusted(image) { ColorJitter.darts.apply($0, shape: $1, random: &random) }
        }
        XCTAssertEqual(jittered(seed: 5), jittered(seed: 5))
        XCTAssertNotEqual(jittered(seed: 5), jittered(seed: 6))
    }

    func testLightingShiftFollowsTheEigenvectors() {
        var random = Xoshiro256(seed: 2)
        XCTAssertEqual(Lighting.offsets(std: 0, random: &random), [0, 0, 0])
        var first = Xoshiro256(seed: 4), second = Xoshiro256(seed: 4)
        let offsets = Lighting.offsets(std: 0.1, random: &first)
        XCTAssertEqual(offsets, Lighting.offsets(std: 0.1, random: &second))
        XCTAssertTrue(offsets.allSatisfy { abs($0) < 0.2 && $0 != 0 }, "\(offsets)")
    }
}
