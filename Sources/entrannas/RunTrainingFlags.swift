import Foundation
import NAS

/// The training part's flags of a `run` (`--train-preset`, `--train-*`), stored as training-flags.json in
/// its folder when its search starts: `run --resume` without them then trains as the run was
/// told to, also when the search was interrupted (the training's own checkpoint exists only
/// once the training has started).
struct RunTrainingFlags: Codable, Equatable {
    var preset: TrainingPreset
    var epochs: Int?
    var limit: Int?
    var layers: Int?
    var channels: Int?

    static func url(in root: URL) -> URL { root.appendingPathComponent("training-flags.json") }

    /// The flags stored in `root`; nil for a run that stored none (one started before they were).
    static func read(in root: URL) throws -> RunTrainingFlags? {
        let url = url(in: root)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONFormat.decoder().decode(RunTrainingFlags.self, from: JSONFormat.read(url)) } catch {
            throw RunError("\(url.path) is damaged (\(JSONFormat.describe(error))); it holds the run's training flags: "
                           + "remove it and give them (--train-preset, --train-*) with --resume")
        }
    }

    /// Writes training-flags.json atomically, making the run's folder.
    func write(in root: URL) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try AtomicFile.write(try JSONFormat.text(self, pretty: true) + "\n", to: Self.url(in: root))
    }
}
