import Foundation
import Torch

/// Size and cost of an evaluation network for one input size: parameters as the papers count
/// them (auxiliary head excluded) and multiply-adds per image, block by block.
public struct ModelSummary: Sendable {
    /// One printed row: a stem, a cell, or the classifier.
    public struct Block: Sendable {
        /// "stem", "cell 3", "classifier", ...
        public var name: String
        /// "stem", "normal", "reduce" or "linear".
        public var kind: String
        /// The block's output shape for one sample.
        public var output: FeatureShape
        /// The block's parameters.
        public var parameters: Int
        /// The block's multiply-adds for one sample.
        public var multiplyAdds: Int
    }

    /// Stem layout of the network.
    public let style: EvalNetworkConfiguration.Style
    /// Input shape of one sample.
    public let input: FeatureShape
    /// Number of classes.
    public let classes: Int
    /// Stems, cells and classifier, in order.
    public let blocks: [Block]
    /// All parameters except the auxiliary head's.
    public let parameters: Int
    /// The auxiliary head's parameters, counted apart (used in training only).
    public let auxiliaryParameters: Int
    /// Multiply-adds of one image in inference (the auxiliary head does not run).
    public let multiplyAdds: Int

    /// Parameters in millions, as papers print them.
    public var parametersM: Double { Double(parameters) / 1e6 }
    /// Multiply-adds in millions, as papers print them.
    public var multiplyAddsM: Double { Double(multiplyAdds) / 1e6 }

    /// Two headline lines: params (M) and MAdds (M).
    public var headline: String {
        String(format: "params %.3fM (auxiliary head excluded), multiply-adds %.1fM", parametersM, multiplyAddsM)
            + " per \(input) image"
    }

    /// The table: one row per block, then the totals.
    public var table: String {
        var lines = [pad("block", 12) + pad("type", 8) + lpad("output", 14) + lpad("params (M)", 13) + lpad("MAdds (M)", 12)]
        for b in blocks {
            lines.append(pad(b.name, 12) + pad(b.kind, 8) + lpad(b.output.description, 14)
                         + lpad(String(format: "%.4f", Double(b.parameters) / 1e6), 13)
                         + lpad(String(format: "%.2f", Double(b.multiplyAdds) / 1e6), 12))
        }
        lines.append(pad("total", 20) + lpad("", 14) + lpad(String(format: "%.4f", parametersM), 13)
                     + lpad(String(format: "%.2f", multiplyAddsM), 12))
        if auxiliaryParameters > 0 {
            lines.append(String(format: "auxiliary head: %.4fM parameters more, used in training only",
                                Double(auxiliaryParameters) / 1e6))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
}

extension EvalNetwork {
    /// Parameters and multiply-adds for `height` x `width` inputs, traced without running the net.
    public func summary(height: Int, width: Int) -> ModelSummary {
        var counter = MultiplyAddCounter()
        var blocks: [ModelSummary.Block] = []
        func record(_ name: String, _ kind: String, _ module: Module, _ shape: FeatureShape, _ before: Int) {
            blocks.append(.init(name: name, kind: kind, output: shape, parameters: module.parameterCount(),
                                multiplyAdds: counter.total - before))
        }
        let input = FeatureShape(channels: configuration.inputChannels, height: height, width: width)
        var s0: FeatureShape, s1: FeatureShape
        var before = counter.total
        if let stem {
            s0 = counter.trace(stem, input)
            s1 = s0
            record("stem", "stem", stem, s0, before)
        } else {
            s0 = counter.trace(stem0!, input)
            record("stem0", "stem", stem0!, s0, before)
            before = counter.total
            s1 = counter.trace(stem1!, s0)
            record("stem1", "stem", stem1!, s1, before)
        }
        for (i, cell) in cells.enumerated() {
            before = counter.total
            (s0, s1) = (s1, counter.trace(cell, s0, s1))
            record("cell \(i)", cell.reduction ? "reduce" : "normal", cell, s1, before)
        }
        before = counter.total
        let logits = counter.trace(classifier, FeatureShape(channels: s1.channels, height: 1, width: 1))
        record("classifier", "linear", classifier, logits, before)
        return ModelSummary(style: configuration.style, input: input, classes: configuration.classes, blocks: blocks,
                            parameters: parameterCountWithoutAuxiliary, auxiliaryParameters: auxiliaryParameterCount,
                            multiplyAdds: counter.total)
    }

    /// Multiply-adds of one `height` x `width` image in inference.
    public func multiplyAdds(height: Int, width: Int) -> Int { summary(height: height, width: width).multiplyAdds }
}
