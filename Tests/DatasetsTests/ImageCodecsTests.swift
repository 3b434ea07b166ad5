import Foundation
import XCTest
@testable import Datasets

final class ImageCodecsTests: XCTestCase {
    /// PNGs written byte by byte (Python's zlib and struct), not by libpng: 3x2 RGB; 2x2 16-bit
    /// grey (0x0000, 0xffff, 0x8080, 0x1234); 2x1 palette (index 1 then 0 of (1,2,3), (200,100,50)).
    let rgbPNG = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAGElEQVR4nGP4z8DAAMFcInINDQ2/fv8BADwTB6tfwdWRAAAAAElFTkSuQmCC"
    let grey16PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACEAAAAAAHTY67AAAAEklEQVR4nGNgYPj/n6GhQcgEABDVA0ULhTVaAAAAAElFTkSuQmCC"
    let palettePNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAMAAADD/I+4AAAABlBMVEUBAgPIZDJQtK4/AAAAC0lEQVR4nGNgZAAAAAUAAtFmM3gAAAAASUVORK5CYII="

    func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

    func testPNGFilesFromAnotherWriterDecodeExactly() throws {
        let rgb = try PNG.decode(bytes(rgbPNG), file: "rgb.png")
        XCTAssertEqual(rgb.shape, ImageShape(channels: 3, height: 2, width: 3))
        XCTAssertEqual(rgb.interleaved(), [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 128, 128, 128, 250, 251, 252])
        XCTAssertEqual(rgb.pixels, [255, 0, 0, 10, 128, 250, 0, 255, 0, 20, 128, 251, 0, 0, 255, 30, 128, 252],
                       "channel-major: the red plane, then green, then blue")
        let grey = try PNG.decode(bytes(grey16PNG), file: "grey16.png")
        XCTAssertEqual(grey.shape, ImageShape(channels: 1, height: 2, width: 2))
        XCTAssertEqual(grey.pixels, [0, 255, 128, 18], "16-bit values v become v / 257, not a linear-to-sRGB curve")
        let palette = try PNG.decode(bytes(palettePNG), file: "palette.png")
        XCTAssertEqual(palette.shape, ImageShape(channels: 3, height: 1, width: 2))
        XCTAssertEqual(palette.interleaved(), [200, 100, 50, 1, 2, 3])
    }

    func testPNGRoundTripIsExact() throws {
        for channels in [1, 3] {
            let image = Fixtures.gradient(channels: channels, height: 7, width: 11)
            XCTAssertEqual(try PNG.decode(PNG.encode(image), file: "x.png"), image)
        }
    }

    func testPNGAlphaIsDroppedNotComposited() throws {
        let rgba = try PixelImage(shape: ImageShape(channels: 4, height: 1, width: 2),
                                  pixels: [200, 10, 20, 30, 40, 50, 0, 128])
        let decoded = try PNG.decode(PNG.encode(rgba), file: "alpha.png")
        XCTAssertEqual(decoded.shape, ImageShape(channels: 3, height: 1, width: 2))
        XCTAssertEqual(decoded.pixels, [200, 10, 20, 30, 40, 50], "a transparent pixel keeps its stored colour")
        let greyAlpha = try PixelImage(shape: ImageShape(channels: 2, height: 1, width: 2), pixels: [90, 91, 0, 255])
        XCTAssertEqual(try PNG.decode(PNG.encode(greyAlpha), file: "ga.png").pixels, [90, 91])
    }

    func testJPEGRoundTripStaysWithinAFewLevels() throws {
        for channels in [1, 3] {
            let image = Fixtures.gradient(channels: channels, height: 32, width: 40)
            let decoded = try JPEG.decode(JPEG.encode(image, quality: 95), file: "x.jpg")
            XCTAssertEqual(decoded.shape, image.shape, "grey stays 1 channel, colour is RGB")
            let errors = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
            XCTAssertLessThanOrEqual(errors.max()!, 8, "\(channels) channels")
            XCTAssertLessThan(Double(errors.reduce(0, +)) / Double(errors.count), 1.5, "\(channels) channels")
        }
        let colour: [UInt8] = [200, 40, 90]
        let flat = try JPEG.decode(JPEG.encode(Fixtures.solid(colour, height: 16, width: 24)), file: "flat.jpg")
        for channel in 0..<3 {
            let plane = flat.pixels[(channel * 384)..<((channel + 1) * 384)]
            XCTAssertTrue(plane.allSatisfy { abs(Int($0) - Int(colour[channel])) <= 2 }, "channel \(channel): \(Set(plane))")
        }
    }

    /// Output past the encoder's first 4 KiB grows its buffer; baseline and progressive files
    /// decode to the same picture.
    func testLargeAndProgressiveJPEGsRoundTrip() throws {
        // Smooth waves: past 4 KiB at quality 95, with no edge for JPEG to blur.
        var pixels: [UInt8] = []
        for channel in 0..<3 {
            for y in 0..<160 {
                for x in 0..<200 {
                    pixels.append(UInt8(128 + 100 * sin(Double(x + 9 * channel) / 5) * cos(Double(y) / 7)))
                }
            }
        }
        let image = try PixelImage(shape: ImageShape(channels: 3, height: 160, width: 200), pixels: pixels)
        for progressive in [false, true] {
            let bytes = try JPEG.encode(image, quality: 95, progressive: progressive)
            XCTAssertGreaterThan(bytes.count, 4096)
            let decoded = try JPEG.decode(bytes, file: "x.jpg")
            XCTAssertEqual(decoded.shape, image.shape)
            // Colour is subsampled 2x2 in JPEG: a few levels on average, a little more at the crests.
            let errors = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
            XCTAssertLessThan(Double(errors.reduce(0, +)) / Double(errors.count), 3, "progressive: \(progressive)")
            XCTAssertLessThanOrEqual(errors.max()!, 24, "progressive: \(progressive)")
        }
    }

    /// A progressive JPEG of a few kilobytes can repeat a scan hundreds of times, each a pass over
    /// the image (a decoder's denial of service); past 500 scans it is refused.
    func testAProgressiveJPEGOfManyScansIsRefused() throws {
        let image = Fixtures.gradient(channels: 1, height: 16, width: 16)
        let bytes = try JPEG.encode(image, progressive: true)
        // The last scan: from its SOS marker (FF DA) to the end-of-image marker (FF D9).
        let starts = (0..<(bytes.count - 1)).filter { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }
        XCTAssertGreaterThan(starts.count, 2, "simple progression writes several scans")
        let end = bytes.count - 2
        XCTAssertEqual(Array(bytes[end...]), [0xFF, 0xD9])
        let last = bytes[starts.last!..<end]
        func repeated(_ extra: Int) -> [UInt8] {
            Array(bytes[..<end]) + Array(repeating: Array(last), count: extra).flatMap { $0 } + [0xFF, 0xD9]
        }
        // Repeats are a warning libjpeg reads past (a refinement already made), up to the limit.
        XCTAssertNoThrow(try JPEG.decode(repeated(400), file: "ok.jpg"))
        XCTAssertThrowsError(try JPEG.decode(repeated(600), file: "scans.jpg")) {
            XCTAssertTrue("\($0)".contains("more than 500 progressive scans"), "\($0)")
        }
    }

    func testUnreadableBytesNameTheFileAndTheReason() throws {
        let folder = try TemporaryFolder()
        let jpeg = try JPEG.encode(Fixtures.gradient(channels: 3, height: 32, width: 32))
        let png = try PNG.encode(Fixtures.gradient(channels: 3, height: 8, width: 8))
        var damagedPNG = png
        damagedPNG[png.count - 20] ^= 0xff  // inside IDAT: its CRC no longer matches
        let cases: [(String, [UInt8], String)] = [
            ("truncated.jpg", Array(jpeg.prefix(jpeg.count / 2)), "Premature end of JPEG file"),
            ("header.jpg", Array(jpeg.prefix(20)), "cannot be decoded as JPEG"),
            ("damaged.png", damagedPNG, "cannot be decoded as PNG"),
            ("notes.jpg", Array("not an image\n".utf8), "neither a JPEG nor a PNG"),
            ("empty.png", [], "is empty"),
        ]
        for (name, bytes, reason) in cases {
            let path = try folder.write(name, bytes)
            assertDatasetError(try PixelImage(contentsOf: path), contains: [path, reason])
        }
        assertDatasetError(try PixelImage(contentsOf: folder.file("absent.png")), contains: ["absent.png", "file not found"])
    }

    func testFormatComesFromTheBytesNotTheName() throws {
        let folder = try TemporaryFolder()
        let image = Fixtures.gradient(channels: 3, height: 5, width: 6)
        let path = try folder.write("really-a-png.jpg", PNG.encode(image))
        XCTAssertEqual(try PixelImage(contentsOf: path), image)
    }

    func testChannelConversion() throws {
        let grey = Fixtures.gradient(channels: 1, height: 2, width: 3)
        let rgb = try grey.converted(toChannels: 3)
        XCTAssertEqual(rgb.pixels, grey.pixels + grey.pixels + grey.pixels)
        XCTAssertEqual(try rgb.converted(toChannels: 1), grey, "equal channels give back the grey")
        let colour = try PixelImage(shape: ImageShape(channels: 3, height: 1, width: 2), pixels: [255, 0, 0, 255, 0, 0])
        XCTAssertEqual(try colour.converted(toChannels: 1).pixels, [76, 150], "Pillow's luma of red and of green")
        assertDatasetError(try colour.converted(toChannels: 2), contains: ["only grey (1) and RGB (3)"])
    }

    func testInvalidShapesAreErrors() {
        assertDatasetError(try PixelImage(shape: ImageShape(channels: 3, height: 2, width: 2), pixels: [1, 2]),
                           contains: ["2 pixel bytes", "3x2x2"])
        assertDatasetError(try JPEG.encode(Fixtures.solid([1, 2], height: 2, width: 2)), contains: ["grey or RGB"])
    }
}
