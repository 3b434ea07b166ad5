import XCTest
@testable import Datasets

final class RandomResizedCropTests: XCTestCase {
    func testWindowsFitAndFollowScaleAndRatio() {
        let crop = RandomResizedCrop()
        var random = Xoshiro256(seed: 3)
        for _ in 0..<500 {
            let window = crop.window(height: 300, width: 400, random: &random)
            XCTAssertTrue(window.fits(in: ImageShape(channels: 3, height: 300, width: 400)), "\(window)")
            let share = Double(window.height * window.width) / 120_000
            XCTAssertTrue((0.07...1.01).contains(share), "area share \(share)")
            let ratio = Double(window.width) / Double(window.height)
            XCTAssertTrue((0.70...1.40).contains(ratio), "ratio \(ratio)")
        }
    }

    func testSameSeedSameWindow() {
        var first = Xoshiro256(seed: 11), second = Xoshiro256(seed: 11), other = Xoshiro256(seed: 12)
        let crop = RandomResizedCrop()
        let windows = (0..<20).map { _ in crop.window(height: 200, width: 150, random: &first) }
        XCTAssertEqual(windows, (0..<20).map { _ in crop.window(height: 200, width: 150, random: &second) })
        XCTAssertNotEqual(windows, (0..<20).map { _ in crop.window(height: 200, width: 150, random: &other) })
    }

    func testFallbackIsTheCentredWindowClampedToTheRatio() {
        // 10 x 100 at full area: no try fits (a 1,000-pixel window of ratio <= 4/3 is over 10
        // high), so torchvision's fallback: height 10, width round(10 * 4/3) = 13, centred.
        var random = Xoshiro256(seed: 1)
        let crop = RandomResizedCrop(scale: 1...1)
        XCTAssertEqual(crop.window(height: 10, width: 100, random: &random), CropWindow(top: 0, left: 43, height: 10, width: 13))
        XCTAssertEqual(crop.window(height: 100, width: 10, random: &random), CropWindow(top: 43, left: 0, height: 13, width: 10))
    }

    func testInvalidSettingsAreErrors() {
        let shape = ImageShape(channels: 3, height: 8, width: 8)
        assertDatasetError(try Augmenter(Augmentation(randomResizedCrop: RandomResizedCrop(scale: 0...1)), shape: shape,
                                         statistics: .imageNet), contains: ["scale must lie in (0, 1]"])
        assertDatasetError(try Augmenter(Augmentation(colorJitter: ColorJitter(hue: 0.7)), shape: shape,
                                         statistics: .imageNet), contains: ["hue must lie in 0...0.5"])
        assertDatasetError(try Augmenter(.plain, shape: shape, statistics: .imageNet, resizeSide: 7),
                           contains: ["resize side 7"])
    }
}
