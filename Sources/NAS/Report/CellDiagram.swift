import Foundation
import Torch

/// A cell drawn as DARTS draws it (`visualize.py`): inputs c_{k-2} and c_{k-1}, intermediate
/// nodes 0, 1, ..., the output c_{k}, one edge per (op, input) labelled with the op. Any
/// in-degree, so EnTranNAS-DST cells draw too.
public struct CellDiagram: Sendable {
    /// Which cell of the genotype is drawn.
    public let cell: Genotype.CellType
    /// `nodes[j]` lists the inputs of intermediate node j.
    public let nodes: [[Connection]]
    /// States concatenated into c_{k}.
    public let concat: [Int]

    /// The diagram of one cell type of `genotype`.
    public init(genotype: Genotype, cell: Genotype.CellType) {
        self.cell = cell
        nodes = genotype.connections(of: cell)
        concat = genotype.concat(of: cell)
    }

    /// The name of state `i`: the two cell inputs, then the intermediate nodes from 0.
    public static func stateName(_ i: Int) -> String {
        switch i {
        case 0: return "c_{k-2}"
        case 1: return "c_{k-1}"
        default: return "\(i - 2)"
        }
    }

    /// Edges as (from, to, label): every connection, then each concatenated node into c_{k}.
    public var edges: [(from: String, to: String, label: String?)] {
        var out: [(String, String, String?)] = []
        for (step, inputs) in nodes.enumerated() {
            for c in inputs { out.append((Self.stateName(c.input), Self.stateName(step + 2), c.op.rawValue)) }
        }
        for i in concat { out.append((Self.stateName(i), "c_{k}", nil)) }
        return out
    }

    /// Graphviz source, left to right, in DARTS' colours.
    public var dot: String {
        var lines = ["digraph \(cell.rawValue) {", "  rankdir=LR;",
                     "  node [style=\"rounded, filled\", shape=rect, fontsize=20, height=0.5, width=0.5, penwidth=2, fontname=\"helvetica\"];",
                     "  edge [fontsize=20, fontname=\"times\"];",
                     "  \"c_{k-2}\" [fillcolor=darkseagreen2];", "  \"c_{k-1}\" [fillcolor=darkseagreen2];"]
        for step in nodes.indices { lines.append("  \"\(step)\" [fillcolor=lightblue];") }
        lines.append("  \"c_{k}\" [fillcolor=palegoldenrod];")
        for e in edges {
            lines.append("  \"\(e.from)\" -> \"\(e.to)\"" + (e.label.map { " [label=\"\($0)\", fillcolor=gray]" } ?? " [fillcolor=gray]") + ";")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Writes `normal.dot` and `reduce.dot` (and their SVG and PNG through Graphviz's `dot`, when it
/// is installed) into a folder. Returns the files written.
public enum CellDiagrams {
    /// Writes both cells into `folder`; `render: false` skips Graphviz. Returns the files written.
    @discardableResult
    public static func write(_ genotype: Genotype, to folder: URL, render: Bool = true) throws -> [URL] {
        var written: [URL] = []
        for cell in Genotype.CellType.allCases {
            let source = folder.appendingPathComponent("\(cell.rawValue).dot")
            try AtomicFile.write(CellDiagram(genotype: genotype, cell: cell).dot, to: source)
            written.append(source)
            guard render, let dot = graphviz else { continue }
            for format in ["svg", "png"] {
                let target = folder.appendingPathComponent("\(cell.rawValue).\(format)")
                try renderFile(dot: dot, source: source, format: format, target: target)
                written.append(target)
            }
        }
        return written
    }

    /// The path of Graphviz's `dot`, or nil when it is not installed.
    public static var graphviz: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) + ["/usr/bin"]
        return paths.map { $0 + "/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Seconds `dot` may take for one image: a dense cell of many nodes can take Graphviz's
    /// layout minutes (16 nodes of 8 ops per input: over a minute).
    public static let renderSeconds = 60.0

    /// Renders through a pipe and writes the file itself (temporary file, then rename): `dot`
    /// writing its own file on a full disk left a truncated SVG and exited 0. Its errors go to a
    /// file, so that neither pipe can fill while the other is read; a layout that takes longer
    /// than `seconds` is stopped and named.
    static func renderFile(dot: String, source: URL, format: String, target: URL, seconds: Double = renderSeconds) throws {
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-dot-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: errorsFile.path, contents: nil),
              let errors = FileHandle(forWritingAtPath: errorsFile.path) else {
            throw RunError("cannot create a temporary file in \(FileManager.default.temporaryDirectory.path) for graphviz's errors")
        }
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-T\(format)", source.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try? errors.close()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)
        let image = output.fileHandleForReading.readDataToEndOfFile()  // to its end: dot closes it when done
        process.waitUntilExit()
        deadline.cancel()
        if process.terminationReason == .uncaughtSignal {
            throw RunError("graphviz did not lay out \(source.path) within \(Int(seconds)) s (a cell this large); the DOT file is "
                           + "written: render it by hand with dot -T\(format)")
        }
        guard process.terminationStatus == 0, !image.isEmpty else {
            let message = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
            let why = message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init)
            throw RunError("graphviz could not render \(source.path) as \(format): \(why ?? "dot exited with status \(process.terminationStatus)")")
        }
        try AtomicFile.write(image, to: target)
    }
}
