import Torch

/// What every search cell has (docs/method.md#search-space, #feature-sharing): two preprocessed inputs, `steps` intermediate
/// nodes, candidate ops per source, and the PC-DARTS partial-channel plumbing. `EngineCell` and
/// `TransitCell` differ only in which ops they run and whether outputs are weighted.
public class SearchCell: Module, @unchecked Sendable {
    /// State 0 (c_{k-2}): `FactorizedReduce` after a reduction cell, otherwise a 1x1 `ReLUConvBN`.
    public let preprocess0: any Layer
    /// State 1 (c_{k-1}): a 1x1 `ReLUConvBN`.
    public let preprocess1: ReLUConvBN
    /// Candidate ops per source: per edge, or per source node with feature sharing.
    public let ops: [MixedOp]
    /// Whether this cell halves the spatial size and doubles the channels.
    public let reduction: Bool
    /// Intermediate nodes (DARTS `steps`, 4).
    public let steps: Int
    /// Nodes concatenated into the output (DARTS `multiplier`), the last ones.
    public let multiplier: Int
    /// Whether op outputs are shared per source node (EnTranNAS) rather than owned by each edge.
    public let featureSharing: Bool
    /// PC-DARTS K: ops see channels/K channels, the rest bypass (1 = off).
    public let partialChannels: Int
    /// Channels of every node (C).
    public let channels: Int
    let layout: EdgeIndex

    /// A cell for `config`; `cPrevPrev` and `cPrev` are the channels of c_{k-2} and c_{k-1}, and
    /// `reductionPrev` says whether c_{k-2} must be halved.
    public required init(config: SearchSpaceConfig, cPrevPrev: Int, cPrev: Int, channels c: Int, reduction: Bool,
                reductionPrev: Bool) throws {
        preprocess0 = try reductionPrev ? FactorizedReduce(cPrevPrev, c, affine: false)
            : ReLUConvBN(cPrevPrev, c, kernelSize: 1, stride: 1, padding: 0, affine: false)
        preprocess1 = try ReLUConvBN(cPrev, c, kernelSize: 1, stride: 1, padding: 0, affine: false)
        self.reduction = reduction
        steps = config.steps
        multiplier = config.multiplier
        featureSharing = config.featureSharing
        partialChannels = config.partialChannels
        channels = c
        let layout = EdgeIndex(steps: config.steps)
        self.layout = layout
        // Sources: nodes 0...steps with sharing (the last node only feeds the output), else edges.
        let sourceInputs = config.featureSharing ? Array(0...config.steps)
            : (0..<layout.edgeCount).map { layout.location(ofEdge: $0).input }
        ops = try sourceInputs.map { input in
            try MixedOp(primitives: config.primitives, channels: c / config.partialChannels,
                    stride: reduction && input < 2 ? 2 : 1)
        }
    }

    /// Which `ops` entry serves `edge`.
    func source(ofEdge edge: Int) -> Int { featureSharing ? layout.location(ofEdge: edge).input : edge }

    /// The two cell inputs after preprocessing: nodes 0 and 1.
    func preprocess(_ s0: Tensor, _ s1: Tensor) throws -> [Tensor] {
        [try preprocess0(s0), try preprocess1(s1)]
    }

    /// The ops' input: the first C/K channels under partial channels.
    func opInput(_ x: Tensor) throws -> Tensor {
        try partialChannels == 1 ? x : x.narrow(dim: 1, start: 0, length: channels / partialChannels)
    }

    /// PC-DARTS edge output: the mixed partial result joined with the bypassed channels
    /// (max-pooled on strided edges), then shuffled so later edges see other channels.
    func edgeOutput(_ mixed: Tensor, input x: Tensor, stride: Int) throws -> Tensor {
        guard partialChannels > 1 else { return mixed }
        let part = channels / partialChannels
        var rest = try x.narrow(dim: 1, start: part, length: channels - part)
        if stride == 2 { rest = try maxPool2d(rest, kernelSize: 2, stride: 2) }
        return try Tensor.cat([mixed, rest], dim: 1).channelShuffle(groups: partialChannels)
    }

    /// Zeros of a node's shape, for a node that received no term (only possible when `none` is
    /// the sole candidate left).
    func zeroNode(_ states: [Tensor]) throws -> Tensor {
        let x = states[0]
        return try reduction ? x.slice(dim: 2, step: 2).slice(dim: 3, step: 2) * 0 : x * 0
    }

    /// The cell output: the last `multiplier` nodes concatenated on channels.
    func output(_ states: [Tensor]) throws -> Tensor { try Tensor.cat(Array(states.suffix(multiplier)), dim: 1) }

    /// Memoised op outputs for one forward pass, so a shared (source, op) runs once, and what
    /// the ops reading one state share (`SharedInputs`: its ReLU and polyphase components).
    struct OpCache {
        var outputs: [Int: Tensor] = [:]
        var shared = SharedInputs()
        mutating func output(_ cell: SearchCell, edge: Int, column: Int, input: Tensor) throws -> Tensor {
            let s = cell.source(ofEdge: edge)
            let key = s * cell.ops[s].ops.count + column
            if let hit = outputs[key] { return hit }
            let y: Tensor
            if let op = cell.ops[s].ops[column] as? any ReLUFirst {
                y = try shared.output(of: op, state: cell.layout.location(ofEdge: edge).input) { try cell.opInput(input) }
            } else {
                y = try cell.ops[s](try cell.opInput(input), column: column)
            }
            outputs[key] = y
            return y
        }
    }

    /// Number of op modules (5 x K for a shared 4-step cell, 14 x K without sharing).
    public var opModuleCount: Int { ops.reduce(0) { $0 + $1.ops.count } }
}
