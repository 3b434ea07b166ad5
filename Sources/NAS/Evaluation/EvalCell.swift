import Torch

/// One cell of an evaluation network, built from one cell of a genotype (DARTS `model.py`
/// `Cell`), generalised to nodes with any number of inputs and several ops on one edge, as
/// EnTranNAS-DST genotypes have (docs/method.md#a12).
///
/// Every (op, input) entry of the genotype is its own module with affine batch norm; nothing is
/// shared between nodes (docs/method.md#a6). Node j is the sum of its entries; the output is the channel
/// concatenation of the genotype's concat states. Only the parameter-free ReLU of a state is
/// computed once for all the ops that read it (`SharedInputs`).
public final class EvalCell: Module, @unchecked Sendable {
    /// A reduction cell halves the spatial size: ops reading state 0 or 1 have stride 2.
    public let reduction: Bool
    /// Whether the cell two back came before a reduction, so state 0 must be halved too.
    public let reductionPrevious: Bool
    /// Channels of every node (C in DARTS).
    public let channels: Int
    /// The inputs of each intermediate node, in genotype order.
    public let connections: [[Connection]]
    /// States concatenated into the output.
    public let concat: [Int]

    /// `FactorizedReduce` after a reduction cell, otherwise a 1x1 `ReLUConvBN`.
    public let preprocess0: any Layer
    /// 1x1 `ReLUConvBN` from c_{k-1} to `channels`.
    public let preprocess1: ReLUConvBN
    /// One module per (op, input) entry, node by node (DARTS `_ops`).
    public let ops: [any Layer]
    /// Whether each entry of `ops` is the parameter-free identity, which drop-path skips.
    private let isIdentity: [Bool]

    /// Drop-path probability for non-identity op outputs in training mode; set by the network.
    public var dropPathProbability: Double = 0

    /// Output channels: one block of `channels` per concat state (DARTS `multiplier * C`).
    public var outputChannels: Int { concat.count * channels }

    /// Builds one module per (op, input) entry of `connections`, with affine batch norm.
    ///
    /// - Parameters:
    ///   - connections: the per-node inputs of this cell type (`genotype.normal` or `.reduce`).
    ///   - concat: the states concatenated into the output (`genotype.normalConcat` or `.reduceConcat`).
    ///   - previousPreviousChannels: channels of c_{k-2} (DARTS `C_prev_prev`).
    ///   - previousChannels: channels of c_{k-1} (DARTS `C_prev`).
    ///   - channels: channels of every node (C); doubled by the network at each reduction.
    ///   - reduction: whether this cell halves the spatial size.
    ///   - reductionPrevious: whether the previous cell was a reduction, so c_{k-2} must be halved.
    public init(connections: [[Connection]], concat: [Int], previousPreviousChannels: Int, previousChannels: Int,
                channels: Int, reduction: Bool, reductionPrevious: Bool) throws {
        self.reduction = reduction
        self.reductionPrevious = reductionPrevious
        self.channels = channels
        self.connections = connections
        self.concat = concat
        preprocess0 = try reductionPrevious
            ? FactorizedReduce(previousPreviousChannels, channels, affine: true)
            : ReLUConvBN(previousPreviousChannels, channels, kernelSize: 1, stride: 1, padding: 0, affine: true)
        preprocess1 = try ReLUConvBN(previousChannels, channels, kernelSize: 1, stride: 1, padding: 0, affine: true)
        var ops: [any Layer] = []
        var identity: [Bool] = []
        for inputs in connections {
            for connection in inputs {
                let stride = reduction && connection.input < 2 ? 2 : 1
                let op = try makeOperation(connection.op, channels: channels, stride: stride, affine: true)
                ops.append(op)
                identity.append(op is Identity)
            }
        }
        self.ops = ops
        isIdentity = identity
    }

    /// Builds the `cellType` cell of `genotype`.
    public convenience init(genotype: Genotype, cellType: Genotype.CellType, previousPreviousChannels: Int,
                            previousChannels: Int, channels: Int, reductionPrevious: Bool) throws {
        try self.init(connections: genotype.connections(of: cellType), concat: genotype.concat(of: cellType),
                  previousPreviousChannels: previousPreviousChannels, previousChannels: previousChannels,
                  channels: channels, reduction: cellType == .reduce, reductionPrevious: reductionPrevious)
    }

    /// The cell output from c_{k-2} and c_{k-1}.
    public func callAsFunction(_ s0: Tensor, _ s1: Tensor) throws -> Tensor {
        var states = [try preprocess0(s0), try preprocess1(s1)]
        let dropping = isTraining && dropPathProbability > 0
        var shared = SharedInputs()
        var k = 0
        for inputs in connections {
            var node: Tensor?
            for connection in inputs {
                let i = connection.input
                var h: Tensor
                if let op = ops[k] as? any ReLUFirst {
                    h = try shared.output(of: op, state: i) { states[i] }
                } else {
                    h = try ops[k](states[i])
                }
                if dropping && !isIdentity[k] { h = try dropPath(h, probability: dropPathProbability) }
                node = try node.map { try $0 + h } ?? h
                k += 1
            }
            states.append(node!)
        }
        return try Tensor.cat(concat.map { states[$0] }, dim: 1)
    }
}
