import Foundation
@testable import NAS
import Torch

/// Rewrites a checkpoint's loop state into the metadata keys checkpoints had before it was one
/// JSON value (`loop`), so tests can check that such a checkpoint still resumes exactly.
enum LegacyCheckpoint {
    static func rewrite(_ url: URL) throws {
        let file = try Safetensors.load(from: url)
        var metadata = file.metadata
        let loop = try XCTUnwrapJSON(metadata.removeValue(forKey: "loop"))
        let totals = loop["totals"] as! [String: Double]
        let (loss, correct, seen, seconds) = (totals["lossSum"]!, totals["correct"]!, totals["seen"]!, totals["seconds"]!)
        if metadata["kind"] == "search" {
            let job = loop["job"] as! [String: Any]
            let zero = job["zeroGradient"] as! [String: Double]
            metadata["valid_cursor"] = "\(job["validCursor"] as! Int)"
            metadata["zero_gradient"] = "\(zero["sum"]!),\(zero["steps"]!)"
            metadata["running"] = "\(loss),\(correct),\(seen)"
            metadata["elapsed"] = "\(seconds)"
        } else {
            metadata["partial_loss_sum"] = "\(loss)"
            metadata["partial_correct"] = "\(Int(correct))"
            metadata["partial_seen"] = "\(Int(seen))"
            metadata["partial_seconds"] = "\(seconds)"
        }
        try Safetensors.save(file.order.map { ($0, file.tensors[$0]!) }, metadata: metadata, to: url)
    }

    private static func XCTUnwrapJSON(_ text: String?) throws -> [String: Any] {
        guard let text, let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw RunError("the checkpoint has no loop state to rewrite")
        }
        return object
    }
}
