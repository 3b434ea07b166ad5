import Foundation

/// Published cells, as listed in quark0/darts `cnn/genotypes.py` and yuhuixu1993/PC-DARTS
/// `genotypes.py`, so that evaluation runs and comparisons need no search.
extension Genotype {
    /// NASNet-A (Zoph et al. 2018): five nodes per cell, unused states concatenated.
    public static let nasnet = Genotype(
        normal: pairs(
            (.sepConv5x5, 1), (.sepConv3x3, 0),
            (.sepConv5x5, 0), (.sepConv3x3, 0),
            (.avgPool3x3, 1), (.skipConnect, 0),
            (.avgPool3x3, 0), (.avgPool3x3, 0),
            (.sepConv3x3, 1), (.skipConnect, 1)),
        normalConcat: [2, 3, 4, 5, 6],
        reduce: pairs(
            (.sepConv5x5, 1), (.sepConv7x7, 0),
            (.maxPool3x3, 1), (.sepConv7x7, 0),
            (.avgPool3x3, 1), (.sepConv5x5, 0),
            (.skipConnect, 3), (.avgPool3x3, 2),
            (.sepConv3x3, 2), (.maxPool3x3, 1)),
        reduceConcat: [4, 5, 6])

    /// AmoebaNet-A (Real et al. 2019): five nodes per cell, unused states concatenated.
    public static let amoebaNet = Genotype(
        normal: pairs(
            (.avgPool3x3, 0), (.maxPool3x3, 1),
            (.sepConv3x3, 0), (.sepConv5x5, 2),
            (.sepConv3x3, 0), (.avgPool3x3, 3),
            (.sepConv3x3, 1), (.skipConnect, 1),
            (.skipConnect, 0), (.avgPool3x3, 1)),
        normalConcat: [4, 5, 6],
        reduce: pairs(
            (.avgPool3x3, 0), (.sepConv3x3, 1),
            (.maxPool3x3, 0), (.sepConv7x7, 2),
            (.sepConv7x7, 0), (.avgPool3x3, 1),
            (.maxPool3x3, 0), (.maxPool3x3, 1),
            (.conv7x1_1x7, 0), (.sepConv3x3, 5)),
        reduceConcat: [3, 4, 6])

    /// DARTS first-order search on CIFAR-10.
    public static let dartsV1 = Genotype(
        normal: pairs(
            (.sepConv3x3, 1), (.sepConv3x3, 0),
            (.skipConnect, 0), (.sepConv3x3, 1),
            (.skipConnect, 0), (.sepConv3x3, 1),
            (.sepConv3x3, 0), (.skipConnect, 2)),
        normalConcat: [2, 3, 4, 5],
        reduce: pairs(
            (.maxPool3x3, 0), (.maxPool3x3, 1),
            (.skipConnect, 2), (.maxPool3x3, 0),
            (.maxPool3x3, 0), (.skipConnect, 2),
            (.skipConnect, 2), (.avgPool3x3, 0)),
        reduceConcat: [2, 3, 4, 5])

    /// DARTS second-order search on CIFAR-10: the cell behind the paper's 2.76% (DARTS paper).
    public static let dartsV2 = Genotype(
        normal: pairs(
            (.sepConv3x3, 0), (.sepConv3x3, 1),
            (.sepConv3x3, 0), (.sepConv3x3, 1),
            (.sepConv3x3, 1), (.skipConnect, 0),
            (.skipConnect, 0), (.dilConv3x3, 2)),
        normalConcat: [2, 3, 4, 5],
        reduce: pairs(
            (.maxPool3x3, 0), (.maxPool3x3, 1),
            (.skipConnect, 2), (.maxPool3x3, 1),
            (.maxPool3x3, 0), (.skipConnect, 2),
            (.skipConnect, 2), (.maxPool3x3, 1)),
        reduceConcat: [2, 3, 4, 5])

    /// PC-DARTS search on CIFAR-10 (PC-DARTS `PC_DARTS_cifar`, 2.57%).
    public static let pcDarts = Genotype(
        normal: pairs(
            (.sepConv3x3, 1), (.skipConnect, 0),
            (.sepConv3x3, 0), (.dilConv3x3, 1),
            (.sepConv5x5, 0), (.sepConv3x3, 1),
            (.avgPool3x3, 0), (.dilConv3x3, 1)),
        normalConcat: [2, 3, 4, 5],
        reduce: pairs(
            (.sepConv5x5, 1), (.maxPool3x3, 0),
            (.sepConv5x5, 1), (.sepConv5x5, 2),
            (.sepConv3x3, 0), (.sepConv3x3, 3),
            (.sepConv3x3, 1), (.sepConv3x3, 2)),
        reduceConcat: [2, 3, 4, 5])

    /// PC-DARTS direct search on ImageNet (PC-DARTS `PC_DARTS_image`, 24.2% top-1).
    public static let pcDartsImage = Genotype(
        normal: pairs(
            (.skipConnect, 1), (.sepConv3x3, 0),
            (.sepConv3x3, 0), (.skipConnect, 1),
            (.sepConv3x3, 1), (.sepConv3x3, 3),
            (.sepConv3x3, 1), (.dilConv5x5, 4)),
        normalConcat: [2, 3, 4, 5],
        reduce: pairs(
            (.sepConv3x3, 0), (.skipConnect, 1),
            (.dilConv5x5, 2), (.maxPool3x3, 1),
            (.sepConv3x3, 2), (.sepConv3x3, 1),
            (.sepConv5x5, 0), (.sepConv3x3, 3)),
        reduceConcat: [2, 3, 4, 5])

    /// Canonical names, spelled as the Python variables of the source repositories.
    public static let builtinNames: [String] = [
        "DARTS_V1", "DARTS_V2", "PC_DARTS", "PC_DARTS_image", "NASNet", "AmoebaNet",
    ]

    /// Other names in use for the same cells: `DARTS = DARTS_V2` in current quark0/darts,
    /// `PC_DARTS_cifar` and `PCDARTS` in PC-DARTS.
    public static let builtinAliases: [String: String] = [
        "DARTS": "DARTS_V2", "PC_DARTS_cifar": "PC_DARTS", "PCDARTS": "PC_DARTS",
    ]

    /// The built-in genotype called `name` (canonical or alias, any letter case), if any.
    public static func named(_ name: String) -> Genotype? {
        let key = name.uppercased()
        let canonical = builtinAliases.first { $0.key.uppercased() == key }?.value
            ?? builtinNames.first { $0.uppercased() == key }
        switch canonical {
        case "DARTS_V1": return dartsV1
        case "DARTS_V2": return dartsV2
        case "PC_DARTS": return pcDarts
        case "PC_DARTS_image": return pcDartsImage
        case "NASNet": return nasnet
        case "AmoebaNet": return amoebaNet
        default: return nil
        }
    }

    /// Reads a genotype from whatever a user passes as `--arch`: a built-in name, a path to a
    /// `.json` or `.txt` file, or inline DARTS text. The result is validated.
    public static func resolve(_ spec: String) throws -> Genotype {
        let trimmed = spec.trimmingCharacters(in: .whitespacesAndNewlines)
        if let builtin = named(trimmed) { return builtin }
        let looksLikePath = trimmed.hasSuffix(".json") || trimmed.hasSuffix(".txt") || trimmed.contains("/")
        if looksLikePath, !trimmed.contains("(") {
            return try load(path: trimmed)
        }
        if trimmed.contains("normal") {
            return try Genotype(dartsText: trimmed)
        }
        throw GenotypeSpecError.unrecognized(spec: trimmed)
    }

    /// Loads a genotype file: JSON for `.json` (or content starting with `{`), else DARTS text.
    public static func load(path: String) throws -> Genotype {
        guard FileManager.default.fileExists(atPath: path) else {
            throw GenotypeSpecError.missingFile(path: path)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GenotypeSpecError.unreadableFile(path: path, reason: SystemReason.of(error))
        }
        let form = "a genotype file holds DARTS' text form (Genotype(normal=[...], ...)) or our JSON"
        guard let contents = String(data: bytes, encoding: .utf8) else {
            throw GenotypeSpecError.invalidFile(path: path, reason: "not UTF-8 text; \(form)")
        }
        let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw GenotypeSpecError.invalidFile(path: path, reason: "the file is empty; \(form)") }
        let isJSON = path.hasSuffix(".json") || trimmed.hasPrefix("{")
        do {
            return isJSON ? try Genotype(json: contents) : try Genotype(dartsText: contents)
        } catch {
            throw GenotypeSpecError.invalidFile(path: path, reason: String(describing: error))
        }
    }
}

extension Genotype {
    /// Groups a flat DARTS list two connections per node, the way DARTS `model.py` reads it.
    fileprivate static func pairs(_ flat: (Primitive, Int)...) -> [[Connection]] {
        stride(from: 0, to: flat.count, by: 2).map { start in
            flat[start..<(start + 2)].map { Connection($0.0, $0.1) }
        }
    }
}

/// Why `Genotype.resolve` could not turn its argument into a genotype; one line each.
public enum GenotypeSpecError: DescribedError, Equatable, Sendable {
    /// Neither a built-in name, a .json/.txt file, nor DARTS genotype text.
    case unrecognized(spec: String)
    /// The named file does not exist.
    case missingFile(path: String)
    /// The file exists but cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The file was read but holds no valid genotype.
    case invalidFile(path: String, reason: String)

    /// One line: what was given and what is accepted.
    public var description: String {
        switch self {
        case .unrecognized(let spec):
            let names = (Genotype.builtinNames + Genotype.builtinAliases.keys.sorted()).joined(separator: ", ")
            return "'\(spec)' is not a built-in genotype (\(names)), a .json/.txt file, or DARTS genotype text"
        case .missingFile(let path):
            return "genotype file '\(path)' does not exist"
        case .unreadableFile(let path, let reason):
            return "cannot read genotype file '\(path)': \(reason)"
        case .invalidFile(let path, let reason):
            return "genotype file '\(path)': \(reason)"
        }
    }
}
