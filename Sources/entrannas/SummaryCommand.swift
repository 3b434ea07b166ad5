import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch

/// `entrannas summary`: parameters and multiply-adds of a genotype's evaluation network.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a genotype's evaluation network block by block: output shape, parameters, multiply-adds.",
        discussion: """
        Parameters exclude the auxiliary head, as papers count them; multiply-adds count convolutions and linear layers for one image. The defaults are DARTS' CIFAR-10 network (20 cells, 36 channels, 3x32x32, 10 classes); --imagenet switches to the mobile ImageNet network (14 cells, 48 channels, 3x224x224, 1000 classes).

        Examples:
          entrannas summary --genotype DARTS_V2
          entrannas summary --genotype DARTS_V2 --imagenet
          entrannas summary --genotype PC_DARTS --layers 8 --init-channels 16 \\
            --input-size 28 --input-channels 1
        """)

    @Option(help: "A built-in name (\(Genotype.builtinNames.joined(separator: ", "))), a genotype file, or DARTS text.")
    var genotype: String
    @Option(help: "Cells (default 20, ImageNet 14).") var layers: Int?
    @Option(help: "Channels of the first cells (default 36, ImageNet 48).") var initChannels: Int?
    @Option(help: "Input height and width in pixels (default 32, ImageNet 224).") var inputSize: Int?
    @Option(help: "Input channels.") var inputChannels: Int = 3
    @Option(help: "Classes (default 10, ImageNet 1000).") var classes: Int?
    @Flag(help: "The ImageNet network: two stride-2 stems before the cells.") var imagenet = false

    func validate() throws {
        if let inputSize, let message = SizeLimits.complaint("--input-size", inputSize, 1...SizeLimits.imageSide) {
            throw ValidationError(message)
        }
    }

    func run() throws {
        let resolved = try Genotype.resolve(genotype)
        var config = imagenet ? EvalNetworkConfiguration.dartsImageNet : EvalNetworkConfiguration.dartsCIFAR
        config.inputChannels = inputChannels
        if let layers { config.layers = layers }
        if let initChannels { config.initChannels = initChannels }
        if let classes { config.classes = classes }
        let size = inputSize ?? (imagenet ? 224 : 32)
        Torch.manualSeed(0)
        let network = try EvalNetwork(genotype: resolved, configuration: config)
        let summary = network.summary(height: size, width: size)
        let reductions = config.reductionIndices.sorted().map(String.init).joined(separator: " and ")
        print("\(genotypeLabel(genotype)), \(imagenet ? "ImageNet" : "CIFAR")-style network: \(config.layers) cells, "
              + "\(config.initChannels) initial channels, reductions at cells \(reductions), input "
              + "\(inputChannels)x\(size)x\(size), \(config.classes) classes")
        print(summary.table)
        print(summary.headline)
    }
}
