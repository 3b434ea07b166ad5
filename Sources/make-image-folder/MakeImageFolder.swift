// Writes a small synthetic dataset in torchvision's ImageFolder layout, for tests, demos and
// benchmarks of image-folder datasets: scripts/make-image-folder.sh OUT [--classes N] ...
//
// Class k of N is stripes at the angle k * 180 / N degrees (so the class is learnable: a small
// CNN tells orientations apart), with random colours, period, phase, a small angle wobble and
// pixel noise. Every 4th image is grey; two in three are JPEGs (every 5th of those named
// .JPEG, as ImageNet does), the rest PNGs; sides vary between 0.75 and 1.25 times --size,
// or are exactly WxH with --size WxH. Everything follows from --seed.
import ArgumentParser
import Datasets
import Foundation

@main
struct MakeImageFolder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-image-folder",
        abstract: "Write a synthetic ImageFolder dataset (OUT/train/<class>/..., OUT/val/<class>/...) of JPEG and PNG files.")

    @Argument(help: "Folder to create (must not exist, or be empty).")
    var output: String

    @Option(help: "Classes: stripes at N evenly spaced angles.")
    var classes = 4

    @Option(name: .customLong("per-class"), help: "Training images per class; val gets a quarter (at least 1).")
    var perClass = 20

    @Option(help: "Image side: S (each side drawn from 0.75 S...1.25 S) or WxH (all exactly W wide, H high).")
    var size = "64"

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    func run() throws {
        let sides = try parseSize()
        guard (1...180).contains(classes), perClass > 0 else {
            throw ValidationError("--classes must be 1...180 and --per-class positive")
        }
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: output), !existing.isEmpty {
            throw ValidationError("\(output) exists and is not empty; choose a new folder")
        }
        var written = 0
        for (part, count) in [("train", perClass), ("val", max(1, perClass / 4))] {
            for label in 0..<classes {
                let angle = 180 * label / classes
                let folder = "\(output)/\(part)/angle-\(String(format: "%03d", angle))"
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for index in 0..<count {
                    var random = Xoshiro256(seed: SplitMix64.key(seed, part == "train" ? 0 : 1, UInt64(label), UInt64(index)))
                    let (width, height) = sides(&random)
                    let image = try stripes(angle: Double(angle), wobble: 90 / Double(classes), width: width, height: height,
                                            grey: index % 4 == 3, random: &random)
                    let name = "\(folder)/\(part)-\(String(format: "%05d", index))"
                    let (path, bytes) = index % 3 == 2
                        ? (name + ".png", try PNG.encode(image))
                        : (name + (index % 5 == 0 ? ".JPEG" : ".jpg"), try JPEG.encode(image, quality: 90))
                    guard manager.createFile(atPath: path, contents: Data(bytes)) else {
                        throw ValidationError("cannot write \(path)")
                    }
                    written += 1
                }
            }
        }
        print("wrote \(written) images (\(classes) classes, \(perClass) train + \(max(1, perClass / 4)) val per class) to \(output)")
    }

    /// `--size` as a function drawing one image's width and height.
    func parseSize() throws -> (inout Xoshiro256) -> (Int, Int) {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        if parts.count == 2, parts.allSatisfy({ $0 > 0 }) {
            return { _ in (parts[0], parts[1]) }
        }
        guard parts.count == 1, size.lowercased().split(separator: "x").count == 1, parts[0] >= 4 else {
            throw ValidationError("--size is S (at least 4) or WxH, got '\(size)'")
        }
        let side = Double(parts[0])
        return { random in
            (Int(side * (0.75 + 0.5 * random.unitDouble())), Int(side * (0.75 + 0.5 * random.unitDouble())))
        }
    }

    /// Stripes at `angle` degrees (give or take `wobble`) between two random colours, plus noise.
    func stripes(angle: Double, wobble: Double, width: Int, height: Int, grey: Bool,
                 random: inout Xoshiro256) throws -> PixelImage {
        let theta = (angle + wobble * (random.unitDouble() - 0.5)) * Double.pi / 180
        let period = Double(min(width, height)) * (0.08 + 0.08 * random.unitDouble())
        let phase = 2 * Double.pi * random.unitDouble()
        let channels = grey ? 1 : 3
        let background = (0..<channels).map { _ in 40 + 80 * random.unitDouble() }
        let foreground = (0..<channels).map { _ in 140 + 110 * random.unitDouble() }
        var pixels = [UInt8](repeating: 0, count: channels * height * width)
        for y in 0..<height {
            for x in 0..<width {
                // Stripes run along `theta`: the wave varies across them.
                let across = Double(x) * -sin(theta) + Double(y) * cos(theta)
                let mix = 0.5 + 0.5 * sin(2 * Double.pi * across / period + phase)
                let noise = Double(random.below(21)) - 10
                for channel in 0..<channels {
                    let value = background[channel] + mix * (foreground[channel] - background[channel]) + noise
                    pixels[(channel * height + y) * width + x] = UInt8(max(0, min(255, value.rounded())))
                }
            }
        }
        return try PixelImage(shape: ImageShape(channels: channels, height: height, width: width), pixels: pixels)
    }
}
