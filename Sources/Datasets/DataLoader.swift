/// Turns a dataset (or a subset of it, such as one part of a `SearchSplit`) into batches.
///
/// Everything random is a pure function of (seed, indices, epoch, position), never of a running
/// stream: epoch e's order comes from (seed, indices, e), the image at position p of that order
/// is augmented from (seed, indices, e, p). So an epoch can be replayed, started at any batch
/// (resume), or built by several threads, and always gives the same batches; and the two
/// loaders of a search split, though given one seed, draw independent streams. A loader is a
/// value; iterating it again needs no rebuilding: call `epoch(_:)` for each epoch.
public struct DataLoader: Sendable {
    public let dataset: Dataset
    /// The dataset images this loader draws from, in their unshuffled order.
    public let indices: [Int]
    public let batchSize: Int
    public let shuffle: Bool
    /// Leave out the last batch of an epoch when it would be smaller than `batchSize`.
    public let dropLast: Bool
    public let augmenter: Augmenter
    public let seed: UInt64
    /// Batches prepared ahead of the consumer (at least 1).
    public let prefetch: Int
    /// Background threads preparing batches; for a dataset of files they also read, decode and
    /// resize them. A worker runs at most `prefetch` batches ahead, so `prefetch` below
    /// `workers` leaves threads idle.
    public let workers: Int
    /// The part of every batch this loader yields (data-parallel processes each take one);
    /// order and augmentation are those of the whole batch, so the parts add up to it exactly.
    public let shard: DataShard
    /// Folds `seed` and `indices` into one key, so loaders over different subsets differ.
    private let stream: UInt64

    public init(
        dataset: Dataset, indices: [Int]? = nil, batchSize: Int, augmentation: Augmentation = .plain,
        shuffle: Bool = true, dropLast: Bool = false, seed: UInt64, prefetch: Int = 2, workers: Int = 1,
        shard: DataShard = .whole
    ) throws {
        guard batchSize > 0 else { throw DatasetError.invalidArgument("batch size must be positive, got \(batchSize)") }
        guard prefetch > 0 else { throw DatasetError.invalidArgument("prefetch must be at least 1 batch, got \(prefetch)") }
        guard workers > 0 else { throw DatasetError.invalidArgument("workers must be at least 1, got \(workers)") }
        let indices = indices ?? Array(0..<dataset.count)
        if let bad = indices.first(where: { $0 < 0 || $0 >= dataset.count }) {
            throw DatasetError.invalidArgument("index \(bad) is outside the \(dataset.count) images of \(dataset.name) \(dataset.part)")
        }
        guard !indices.isEmpty else { throw DatasetError.invalidArgument("a loader needs at least one image") }
        self.dataset = dataset
        self.indices = indices
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.augmenter = try Augmenter(augmentation, shape: dataset.shape, statistics: dataset.statistics,
                                       resizeSide: dataset.files?.resizeSide)
        self.seed = seed
        self.stream = indices.reduce(SplitMix64.key(seed, UInt64(indices.count))) { key, index in
            SplitMix64.mix((key ^ UInt64(index)) &+ 0x9E37_79B9_7F4A_7C15)
        }
        self.prefetch = prefetch
        self.workers = workers
        self.shard = shard
    }

    /// The same loader yielding part `shard` of every batch.
    public func sharded(_ shard: DataShard) throws -> DataLoader {
        try DataLoader(dataset: dataset, indices: indices, batchSize: batchSize, augmentation: augmenter.augmentation,
                       shuffle: shuffle, dropLast: dropLast, seed: seed, prefetch: prefetch, workers: workers, shard: shard)
    }

    /// Images per epoch, after drop-last (of the whole batches, all shards together).
    public var imagesPerEpoch: Int { dropLast ? batchCount * batchSize : indices.count }

    /// Batches per epoch.
    public var batchCount: Int {
        dropLast || indices.isEmpty ? indices.count / batchSize : (indices.count - 1) / batchSize + 1
    }

    /// The dataset indices of epoch `epoch` in the order they are batched.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return indices }
        var order = indices
        var random = Xoshiro256(seed: SplitMix64.key(stream, 0x4F52_4445_52, UInt64(epoch)))  // "ORDER"
        random.shuffle(&order)
        return order
    }

    /// The batches of epoch `epoch`, from batch `startBatch` on, prepared on background threads.
    public func epoch(_ epoch: Int, startingAtBatch startBatch: Int = 0) throws -> LoaderEpoch {
        guard epoch >= 0 else { throw DatasetError.invalidArgument("epoch must be 0 or more, got \(epoch)") }
        guard (0...batchCount).contains(startBatch) else {
            throw DatasetError.invalidArgument("start batch \(startBatch) is outside the \(batchCount) batches of an epoch")
        }
        return LoaderEpoch(loader: self, epoch: epoch, startBatch: startBatch)
    }

    /// Builds batch `index` of an epoch whose order is `order` (this loader's shard of it), on
    /// the calling thread (a worker's, when iterating an epoch): for a dataset of files, this is
    /// where they are read, decoded and resized. A file that cannot be read makes a batch that
    /// carries the error (`HostBatch.failure`), or, under `UnreadableImagePolicy.skip`, one with
    /// a substitute.
    public func makeBatch(epoch: Int, index: Int, order: [Int]) -> HostBatch {
        let whole = index * batchSize
        let part = shard.rows(of: min(order.count, whole + batchSize) - whole)
        let start = whole + part.lowerBound
        var rows = Array(order[start..<(whole + part.upperBound)])
        let imageSize = dataset.imageSize
        var images = [Float](repeating: 0, count: rows.count * imageSize)
        var scratch = [UInt8](repeating: 0, count: imageSize)
        let shape = [rows.count, dataset.channels, dataset.height, dataset.width]
        // Augments one image into row `row` with the draws of its epoch position.
        func augment(_ source: UnsafeBufferPointer<UInt8>, shape sourceShape: ImageShape, row: Int) {
            var random = Xoshiro256(seed: SplitMix64.key(stream, UInt64(epoch), UInt64(start + row)))
            images.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    augmenter.augment(
                        source, shape: sourceShape,
                        into: UnsafeMutableBufferPointer(rebasing: output[(row * imageSize)..<((row + 1) * imageSize)]),
                        scratch: scratch, random: &random)
                }
            }
        }
        switch dataset.storage {
        case let .memory(pixels):
            pixels.withUnsafeBufferPointer { pixels in
                for (row, image) in rows.enumerated() {
                    augment(UnsafeBufferPointer(rebasing: pixels[(image * imageSize)..<((image + 1) * imageSize)]),
                            shape: dataset.shape, row: row)
                }
            }
        case let .files(files):
            for row in rows.indices {
                do {
                    let (image, decoded) = try files.image(forPosition: start + row, in: order)
                    rows[row] = image
                    decoded.pixels.withUnsafeBufferPointer { augment($0, shape: decoded.shape, row: row) }
                } catch {
                    let failure = error as? DatasetError ?? .corrupt(file: files.paths[rows[row]], reason: "\(error)")
                    return HostBatch(images: [], labels: [], shape: [0] + shape.dropFirst(), indices: [],
                                     epoch: epoch, index: index, failure: failure)
                }
            }
        }
        let labels = rows.map { Int64(dataset.labels[$0]) }
        return HostBatch(images: images, labels: labels, shape: shape, indices: rows, epoch: epoch, index: index)
    }
}
