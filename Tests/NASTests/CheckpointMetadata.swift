import Foundation
@testable import NAS
import Torch

/// Edits a checkpoint's metadata in place (its tensors unchanged), as a damaged or hand-edited
/// file would carry it: tests of what resume does with what the file says.
enum CheckpointMetadata {
    static func edit(_ url: URL, _ change: (inout [String: String]) throws -> Void) throws {
        let file = try Safetensors.load(from: url)
        var metadata = file.metadata
        try change(&metadata)
        try Safetensors.save(file.order.map { ($0, file.tensors[$0]!) }, metadata: metadata, to: url)
    }

    /// Edits the loop state (`loop`, one JSON object).
    static func editLoop(_ url: URL, _ change: @escaping (inout [String: Any]) -> Void) throws {
        try edit(url) { metadata in
            var loop = try JSONSerialization.jsonObject(with: Data((metadata["loop"] ?? "").utf8)) as? [String: Any] ?? [:]
            change(&loop)
            metadata["loop"] = String(decoding: try JSONSerialization.data(withJSONObject: loop), as: UTF8.self)
        }
    }
}
