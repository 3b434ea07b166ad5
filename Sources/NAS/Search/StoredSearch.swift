import Datasets
import Foundation

/// A search's settings as its checkpoint stores them (`SearchRun.settingsJSON`), read back so
/// that `search --output DIR --resume` continues the search from its folder alone, as
/// `train --resume` does, instead of asking for the flags of the command that started it.
public struct StoredSearch: Equatable, Sendable {
    /// The search space and method.
    public var config: SearchSpaceConfig
    /// The schedule.
    public var hyper: SearchHyperparameters
    /// The seed of weights, data split and batches.
    public var seed: UInt64
    /// The dataset's name, as `DatasetSpec(name:)` reads it.
    public var dataset: String
    /// The dataset folder given to the search (`--data`); nil for one written before it was
    /// stored, or for a dataset at its default place.
    public var dataPath: String?
    /// An image folder's held-out share, where the search's images were cut from one folder of
    /// classes (`run`); nil otherwise, or for one written before it was stored.
    public var validationPortion: Double?
    /// An image folder's unreadable-image policy; nil for another dataset, or for one written
    /// before it was stored.
    public var unreadable: UnreadableImagePolicy?
    /// The settings as stored, for `Checkpoint.firstDifference`.
    public var json: String

    /// The search stored in `folder`'s checkpoint; nil where there is no checkpoint, or one of
    /// another kind of run (the resume's own checks then name the problem).
    public static func read(from folder: URL) throws -> StoredSearch? {
        let directory = RunDirectory(url: folder)
        guard directory.hasCheckpoint else { return nil }
        let checkpoint = try Checkpoint.load(from: directory.checkpoint)
        guard checkpoint.kind == "search" else { return nil }
        return try StoredSearch(json: checkpoint.configuration, seed: checkpoint.dataSeed, source: directory.checkpoint.path)
    }

    /// Reads `SearchRun.settingsJSON`: the space's and the schedule's fields in one flat object,
    /// with the dataset's description and, where stored, its folder. `source` names the file.
    public init(json: String, seed: UInt64, source: String) throws {
        func damaged(_ reason: String) -> RunError {
            RunError("\(source): the stored search settings cannot be read (\(reason)); the file is damaged, "
                     + "or was written by another version of entrannas: start a new search in another --output")
        }
        let data = Data(json.utf8)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw damaged("not a JSON object") }
        // "fashion-mnist 1x28x28 10 classes": the name is the first word.
        guard let description = object["dataset"] as? String, let name = description.split(separator: " ").first else {
            throw damaged("no dataset")
        }
        do {
            config = try JSONFormat.decoder().decode(SearchSpaceConfig.self, from: data)
            hyper = try JSONFormat.decoder().decode(SearchHyperparameters.self, from: data)
        } catch {
            throw damaged(JSONFormat.describe(error))
        }
        self.seed = seed
        self.json = json
        dataset = String(name)
        dataPath = (object[SearchRun.dataPathKey] as? String).flatMap { $0.isEmpty ? nil : $0 }
        if let value = object[SearchRun.validationPortionKey] {
            // Checked as DatasetSpec checks the flag: a damaged value is named here, not as a flag.
            guard let portion = (value as? NSNumber)?.doubleValue, DatasetSpec.FolderSettings.isShare(portion) else {
                throw damaged("\(SearchRun.validationPortionKey) is not a share between 0 and 1")
            }
            validationPortion = portion
        }
        if let value = object[SearchRun.unreadableKey] {
            guard let text = value as? String, let policy = UnreadableImagePolicy(rawValue: text) else {
                throw damaged("\(SearchRun.unreadableKey) is not one of \(UnreadableImagePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            unreadable = policy
        }
    }
}
