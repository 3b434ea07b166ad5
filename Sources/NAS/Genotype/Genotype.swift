import Foundation
import Datasets

/// One input of an intermediate node: apply `op` to state `input` (0 = c_{k-2}, 1 = c_{k-1},
/// j >= 2 = intermediate node j). The DARTS tuple `('sep_conv_3x3', 0)`.
public struct Connection: Codable, Hashable, Sendable {
    /// The operation on this input (never `none` in a derived genotype).
    public var op: Primitive
    /// The state it reads: 0 = c_{k-2}, 1 = c_{k-1}, j >= 2 = intermediate node j.
    public var input: Int

    /// DARTS tuple order: `Connection(.sepConv3x3, 0)`.
    public init(_ op: Primitive, _ input: Int) {
        self.op = op
        self.input = input
    }

    /// Labelled form of `init(_:_:)`.
    public init(op: Primitive, input: Int) {
        self.init(op, input)
    }
}

/// A derived cell architecture, DARTS `Genotype(normal, normal_concat, reduce, reduce_concat)`.
/// Connections are grouped per intermediate node rather than in a flat pair list, because
/// EnTranNAS-DST gives nodes any in-degree and may keep several ops on one edge (docs/method.md#dst).
public struct Genotype: Codable, Equatable, Sendable {
    /// The two cell types of a DARTS network.
    public enum CellType: String, CaseIterable, Sendable {
        /// Keeps the spatial size.
        case normal
        /// Halves the spatial size and doubles the channels.
        case reduce
    }

    /// `normal[j]` lists the inputs of node j + 2 of the normal cell.
    public var normal: [[Connection]]
    /// States concatenated into the normal cell's output; its count is the channel multiplier.
    public var normalConcat: [Int]
    /// `reduce[j]` lists the inputs of node j + 2 of the reduction cell.
    public var reduce: [[Connection]]
    /// States concatenated into the reduction cell's output.
    public var reduceConcat: [Int]

    /// A genotype from per-node connection lists and concat indices; `validate()` checks it.
    public init(normal: [[Connection]], normalConcat: [Int], reduce: [[Connection]], reduceConcat: [Int]) {
        self.normal = normal
        self.normalConcat = normalConcat
        self.reduce = reduce
        self.reduceConcat = reduceConcat
    }

    /// Per-node connection lists of one cell type.
    public func connections(of cell: CellType) -> [[Connection]] {
        cell == .normal ? normal : reduce
    }

    /// Output concat indices of one cell type.
    public func concat(of cell: CellType) -> [Int] {
        cell == .normal ? normalConcat : reduceConcat
    }

    /// Intermediate-node count of one cell type (DARTS `steps`).
    public func steps(of cell: CellType) -> Int {
        connections(of: cell).count
    }

    /// Intermediate-node count of the normal cell. Reduction cells may differ (nothing in DARTS
    /// forbids it); use `steps(of: .reduce)` for those. Every built-in genotype has equal counts.
    public var steps: Int { normal.count }

    /// Number of (op, input) pairs in one cell type.
    public func connectionCount(of cell: CellType) -> Int {
        connections(of: cell).reduce(0) { $0 + $1.count }
    }

    /// Number of (op, input) pairs in both cells together (16 for a 4-step DARTS genotype).
    public var connectionCount: Int {
        connectionCount(of: .normal) + connectionCount(of: .reduce)
    }

    /// True when every node of both cells has exactly two inputs: the DARTS top-2 shape, which
    /// prints in the flat DARTS text form.
    public var isTwoInput: Bool {
        (normal + reduce).allSatisfy { $0.count == 2 }
    }

    /// Checks that both cells describe a buildable DAG: every node has inputs, reads only earlier
    /// states, uses no `none` op, and the concat names existing, distinct states.
    public func validate() throws {
        for cell in CellType.allCases {
            try Self.validate(cell: cell, nodes: connections(of: cell), concat: concat(of: cell))
        }
    }

    private static func validate(cell: CellType, nodes: [[Connection]], concat: [Int]) throws {
        if nodes.isEmpty { throw GenotypeError.noNodes(cell: cell) }
        // Sizes from a file are bounded before anything is built from them: the search space's
        // node limit, and no more connections than a node has (input, op) pairs with an op other
        // than `none` (a pair may repeat, as in NASNet's cell, but not without bound).
        if nodes.count > SizeLimits.steps { throw GenotypeError.tooManyNodes(cell: cell, count: nodes.count) }
        for (step, inputs) in nodes.enumerated() {
            let node = step + 2
            if inputs.isEmpty { throw GenotypeError.nodeWithoutInputs(cell: cell, node: node) }
            if inputs.count > node * Primitive.connectable {
                throw GenotypeError.tooManyInputs(cell: cell, node: node, count: inputs.count)
            }
            for connection in inputs {
                if connection.op == .none {
                    throw GenotypeError.noneConnection(cell: cell, node: node, input: connection.input)
                }
                if connection.input < 0 || connection.input >= node {
                    throw GenotypeError.inputOutOfRange(cell: cell, node: node, input: connection.input)
                }
            }
        }
        if concat.isEmpty { throw GenotypeError.emptyConcat(cell: cell) }
        let stateCount = nodes.count + 2
        var seen = Set<Int>()
        for index in concat {
            if index < 0 || index >= stateCount {
                throw GenotypeError.concatOutOfRange(cell: cell, index: index, stateCount: stateCount)
            }
            if !seen.insert(index).inserted { throw GenotypeError.duplicateConcat(cell: cell, index: index) }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case normal
        case normalConcat = "normal_concat"
        case reduce
        case reduceConcat = "reduce_concat"
    }
}

/// Why a genotype cannot be built into a cell. Nodes are numbered as states (intermediate nodes
/// from 2), the way DARTS indexes `states`.
public enum GenotypeError: DescribedError, Equatable, Sendable {
    /// The cell has no intermediate node.
    case noNodes(cell: Genotype.CellType)
    /// A node lists no input.
    case nodeWithoutInputs(cell: Genotype.CellType, node: Int)
    /// A connection uses `none`.
    case noneConnection(cell: Genotype.CellType, node: Int, input: Int)
    /// A node reads a state that is not earlier than itself.
    case inputOutOfRange(cell: Genotype.CellType, node: Int, input: Int)
    /// The cell concatenates nothing.
    case emptyConcat(cell: Genotype.CellType)
    /// A concat index names a state the cell does not have.
    case concatOutOfRange(cell: Genotype.CellType, index: Int, stateCount: Int)
    /// A concat index is listed twice.
    case duplicateConcat(cell: Genotype.CellType, index: Int)
    /// More intermediate nodes than a search cell may have (`SizeLimits.steps`).
    case tooManyNodes(cell: Genotype.CellType, count: Int)
    /// More connections than the node has (input, op) pairs.
    case tooManyInputs(cell: Genotype.CellType, node: Int, count: Int)

    /// One line naming the cell, the node and what is wrong.
    public var description: String {
        switch self {
        case .noNodes(let cell):
            return "\(cell.rawValue) cell has no intermediate nodes"
        case .nodeWithoutInputs(let cell, let node):
            return "\(cell.rawValue) cell node \(node) has no inputs"
        case .noneConnection(let cell, let node, let input):
            return "\(cell.rawValue) cell node \(node) uses op 'none' on input \(input); 'none' is never a connection"
        case .inputOutOfRange(let cell, let node, let input):
            return "\(cell.rawValue) cell node \(node) reads input \(input), but node \(node) may only read 0...\(node - 1)"
        case .emptyConcat(let cell):
            return "\(cell.rawValue)_concat is empty"
        case .concatOutOfRange(let cell, let index, let stateCount):
            return "\(cell.rawValue)_concat index \(index) is out of range 0...\(stateCount - 1)"
        case .duplicateConcat(let cell, let index):
            return "\(cell.rawValue)_concat lists index \(index) twice"
        case .tooManyNodes(let cell, let count):
            return "\(cell.rawValue) cell has \(count) intermediate nodes; at most \(SizeLimits.steps) are allowed"
        case .tooManyInputs(let cell, let node, let count):
            return "\(cell.rawValue) cell node \(node) has \(count) connections, more than its \(node * Primitive.connectable) (input, op) pairs"
        }
    }
}

// MARK: - JSON

extension Genotype {
    /// Why JSON could not be read as a genotype; one line.
    public struct JSONError: DescribedError, Equatable, Sendable {
        /// What is wrong with the JSON, one line.
        public let description: String
    }

    /// Reads the JSON form `{"normal": [[{"op": "...", "input": N}, ...], ...], "normal_concat":
    /// [...], "reduce": ..., "reduce_concat": ...}` and validates it.
    public init(json: String) throws {
        let decoded: Genotype
        let data = Data(json.utf8)
        do {
            decoded = try JSONFormat.decoder(snakeCase: false).decode(Genotype.self, from: data)
        } catch let error as DecodingError {
            // Foundation calls a number that fits no Int (1.5, 1e30) "not valid JSON" at the top
            // level; where the JSON itself parses, say what is wrong instead.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil {
                throw JSONError(description: "genotype JSON: a value does not fit its field (inputs and concat entries are whole numbers from 0)")
            }
            throw JSONError(description: "genotype JSON: " + Self.summary(of: error))
        }
        try decoded.validate()
        self = decoded
    }

    /// Pretty JSON with a fixed key order and one node per line, so saved genotypes diff cleanly.
    public func jsonString() -> String {
        func cell(_ nodes: [[Connection]]) -> String {
            if nodes.isEmpty { return "[]" }
            let lines = nodes.map { inputs in
                "    [" + inputs.map { "{\"op\": \"\($0.op.rawValue)\", \"input\": \($0.input)}" }
                    .joined(separator: ", ") + "]"
            }
            return "[\n" + lines.joined(separator: ",\n") + "\n  ]"
        }
        func list(_ values: [Int]) -> String {
            "[" + values.map(String.init).joined(separator: ", ") + "]"
        }
        return """
            {
              "normal": \(cell(normal)),
              "normal_concat": \(list(normalConcat)),
              "reduce": \(cell(reduce)),
              "reduce_concat": \(list(reduceConcat))
            }

            """
    }

    /// What a JSON value of Swift type `type` is, in JSON's words (Foundation says
    /// "Dictionary<String, Any>").
    private static func kind(of type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || type == Genotype.self || type == Connection.self { return "an object" }
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Int") { return "a whole number" }
        if name == "String" || type == Primitive.self { return "a string" }
        return "a \(name)"
    }

    /// One line naming the field path and the problem, instead of Foundation's nested dump.
    private static func summary(of error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { JSONFormat.codingPath(keys, whole: "top level") }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing key '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "wrong type at \(path(context.codingPath)): expected \(kind(of: type))"
                + (context.codingPath.isEmpty ? " with normal, normal_concat, reduce and reduce_concat" : "")
        case .dataCorrupted(let context):
            if context.codingPath.last?.stringValue == "op" {
                let valid = Primitive.allCases.map(\.rawValue).joined(separator: ", ")
                return "unknown op at \(path(context.codingPath)); valid primitives: \(valid)"
            }
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return "invalid data at \(path(context.codingPath)): \(underlying ?? context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
