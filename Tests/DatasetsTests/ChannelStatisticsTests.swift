import XCTest
@testable import Datasets

final class ChannelStatisticsTests: XCTestCase {
    func testPerChannelMeanAndStd() {
        // Two 2-channel images of 2 pixels: channel 0 holds 0 and 255, channel 1 always 51.
        let images: [UInt8] = [0, 255, 51, 51, 255, 0, 51, 51]
        let statistics = ChannelStatistics(images: images, channels: 2, pixelsPerChannel: 2)
        XCTAssertEqual(statistics.mean[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(statistics.std[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(statistics.mean[1], 0.2, accuracy: 1e-6)
        XCTAssertEqual(statistics.std[1], 1, "a constant channel gets std 1, never 0")
    }
}
