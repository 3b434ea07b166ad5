import Foundation

/// A candidate operation on a cell edge. Raw values are the DARTS `PRIMITIVES` names so that
/// genotypes read and print exactly as in the DARTS and PC-DARTS code and papers.
public enum Primitive: String, CaseIterable, Codable, Sendable {
    /// How many ops may connect two nodes: every one but `none`.
    public static var connectable: Int { allCases.count - 1 }

    /// The zero op. It lets the super-net switch an edge off; derivation never selects it.
    case none = "none"
    /// 3x3 max pooling, followed by BN in the search network.
    case maxPool3x3 = "max_pool_3x3"
    /// 3x3 average pooling (padding not counted), followed by BN in the search network.
    case avgPool3x3 = "avg_pool_3x3"
    /// Identity; `FactorizedReduce` when strided.
    case skipConnect = "skip_connect"
    /// `SepConv` with 3x3 kernels.
    case sepConv3x3 = "sep_conv_3x3"
    /// `SepConv` with 5x5 kernels.
    case sepConv5x5 = "sep_conv_5x5"
    /// `DilConv` with 3x3 kernels, dilation 2 (5x5 receptive field).
    case dilConv3x3 = "dil_conv_3x3"
    /// `DilConv` with 5x5 kernels, dilation 2 (9x9 receptive field).
    case dilConv5x5 = "dil_conv_5x5"
    /// Defined in DARTS `operations.py` but outside its `PRIMITIVES`; used by NASNet/AmoebaNet.
    case sepConv7x7 = "sep_conv_7x7"
    /// Defined in DARTS `operations.py` but outside its `PRIMITIVES`; used by AmoebaNet.
    case conv7x1_1x7 = "conv_7x1_1x7"
    /// Plain ReLU-conv-BN ops, candidates for the EnTranNAS "extended space" (docs/method.md#a3).
    case conv1x1 = "conv_1x1"
    /// 3x3 `ReLUConvBN`.
    case conv3x3 = "conv_3x3"

    /// The DARTS `PRIMITIVES` list, in DARTS order: column k of an alpha matrix is `darts[k]`.
    public static let darts: [Primitive] = [
        .none, .maxPool3x3, .avgPool3x3, .skipConnect,
        .sepConv3x3, .sepConv5x5, .dilConv3x3, .dilConv5x5,
    ]

    /// The DARTS list plus the four extra ops: one reading of the "extended space" (docs/method.md#a3).
    public static let extended: [Primitive] = darts + [.sepConv7x7, .conv7x1_1x7, .conv1x1, .conv3x3]

    /// The DARTS name, as printed in genotypes.
    public var name: String { rawValue }

    /// Looks up one op by its DARTS name (surrounding whitespace ignored).
    public init(name: String) throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let op = Primitive(rawValue: trimmed) else {
            throw PrimitiveError.unknownName(trimmed)
        }
        self = op
    }

    /// Parses a candidate list such as `"none, skip_connect, sep_conv_3x3"`, e.g. from a CLI flag.
    /// The whole text `darts` or `extended` names the built-in lists. Order is kept, because it
    /// fixes the alpha column of every op; duplicates and empty lists are rejected.
    public static func parseList(_ text: String) throws -> [Primitive] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch trimmed {
        case "darts": return darts
        case "extended": return extended
        default: break
        }
        var ops: [Primitive] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { throw PrimitiveError.emptyName(list: trimmed) }
            let op = try Primitive(name: name)
            if ops.contains(op) { throw PrimitiveError.duplicate(op.rawValue) }
            ops.append(op)
        }
        return ops
    }
}

/// Why a primitive name or list could not be read; each message lists the valid names.
public enum PrimitiveError: DescribedError, Equatable, Sendable {
    /// The name is not a primitive.
    case unknownName(String)
    /// The list has an empty entry (two commas in a row, say).
    case emptyName(list: String)
    /// The list names a primitive twice.
    case duplicate(String)

    /// One line naming the bad name and listing the valid ones.
    public var description: String {
        let valid = Primitive.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .unknownName(let name):
            return "unknown primitive '\(name)'; valid primitives: \(valid)"
        case .emptyName(let list):
            return "empty primitive name in list '\(list)'; valid primitives: \(valid)"
        case .duplicate(let name):
            return "primitive '\(name)' appears twice in the candidate list"
        }
    }
}
