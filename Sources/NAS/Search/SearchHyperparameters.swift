import Datasets

/// The optimisation settings of a search (docs/method.md#bilevel). Defaults depend on the method: DARTS'
/// recipe for DARTS, PC-DARTS' for PC-DARTS and (docs/method.md#a10) for EnTranNAS.
public struct SearchHyperparameters: Codable, Equatable, Sendable {
    /// Search epochs (DARTS, PC-DARTS: 50).
    public var epochs: Int
    /// Images per batch, for weight and architecture steps alike (DARTS 64, PC-DARTS 256).
    public var batchSize: Int
    /// Initial weight learning rate, annealed by cosine (DARTS 0.025, PC-DARTS 0.1).
    public var learningRate: Double
    /// Final weight learning rate of the cosine schedule (DARTS 0.001, PC-DARTS 0).
    public var learningRateMin: Double
    /// SGD momentum of the weights.
    public var momentum = 0.9
    /// L2 weight decay of the weights.
    public var weightDecay = 3e-4
    /// Gradient-norm clip of the weight step.
    public var gradClip = 5.0
    /// Adam learning rate of the architecture parameters (DARTS 3e-4, PC-DARTS 6e-4).
    public var archLearningRate: Double
    /// L2 weight decay of the architecture parameters.
    public var archWeightDecay = 1e-3
    /// Adam beta1 of the architecture optimizer.
    public var archBeta1 = 0.5
    /// Adam beta2 of the architecture optimizer.
    public var archBeta2 = 0.999
    /// Epochs that train weights only, before any architecture step (PC-DARTS: 15).
    public var warmupEpochs: Int
    /// The preset's warm-up when `--epochs` alone left it no room and it was lowered to a third
    /// of the epochs; the schedule line says so. Nil when the warm-up is the preset's or given.
    public var warmupLoweredFrom: Int?
    /// Share of the training set used for weights; the rest trains the architecture.
    public var trainPortion = 0.5
    /// Use only this many training images (class-balanced), for quick runs.
    public var limit: Int?
    /// PC-DARTS' ImageNet split: this fraction of every class for the weights (PC-DARTS: 0.1),
    /// with `architectureFraction` for the architecture; replaces `trainPortion` and `limit`.
    public var weightFraction: Double?
    /// The architecture's fraction of every class (PC-DARTS: 0.025), with `weightFraction`.
    public var architectureFraction: Double?
    /// Cap on validation images evaluated per epoch (nil: the whole architecture split).
    public var evalLimit: Int?
    /// Training batches used to re-estimate batch-norm statistics for the derived network.
    public var bnRecalibrationBatches = 20
    /// Measure the consistency gap (super-net against derived net, batch norm re-estimated, as at
    /// the end) after every N-th epoch, into metrics.jsonl; nil: at the end only. It costs two
    /// evaluations of the architecture split and leaves the search unchanged.
    public var gapEvery: Int?

    /// The method's published recipe: DARTS' for DARTS, PC-DARTS' for PC-DARTS and the EnTranNAS methods.
    public init(method: SearchMethod) {
        switch method {
        case .darts, .darts2nd:
            epochs = 50; batchSize = 64; learningRate = 0.025; learningRateMin = 0.001
            archLearningRate = 3e-4; warmupEpochs = 0
        case .pcDarts, .entrannas, .entrannasDST:
            epochs = 50; batchSize = 256; learningRate = 0.1; learningRateMin = 0
            archLearningRate = 6e-4; warmupEpochs = 15
        }
    }

    /// Throws `SearchConfigError` naming the flag of the first setting out of range.
    public func validate() throws {
        func fail(_ m: String) -> SearchConfigError { SearchConfigError(message: m) }
        if let message = SizeLimits.complaint("--epochs", epochs, 1...SizeLimits.epochs) { throw fail(message) }
        if let message = SizeLimits.complaint("--batch-size", batchSize, 1...SizeLimits.batchSize) { throw fail(message) }
        // Each finite and in range: a NaN or infinite setting would surface epochs later as a
        // NaN loss blamed on the learning rate.
        guard learningRate > 0, learningRate <= SizeLimits.float32 else {
            throw fail("--learning-rate must be a positive number (at most 3.4e38, float32's largest), got \(learningRate)")
        }
        guard learningRateMin >= 0, learningRateMin <= learningRate else {
            throw fail("--learning-rate-min must lie between 0 and --learning-rate (\(learningRate)), got \(learningRateMin)")
        }
        guard momentum >= 0, momentum < 1 else { throw fail("--momentum must lie in [0, 1), got \(momentum)") }
        guard weightDecay >= 0, weightDecay <= SizeLimits.float32 else {
            throw fail("--weight-decay must be 0 or more (at most 3.4e38, float32's largest), got \(weightDecay)")
        }
        guard gradClip > 0 else { throw fail("--grad-clip must be positive, got \(gradClip)") }
        guard archLearningRate > 0, archLearningRate <= SizeLimits.float32 else {
            throw fail("--arch-learning-rate must be a positive number (at most 3.4e38, float32's largest), got \(archLearningRate)")
        }
        guard archWeightDecay >= 0, archWeightDecay <= SizeLimits.float32 else {
            throw fail("--arch-weight-decay must be 0 or more (at most 3.4e38, float32's largest), got \(archWeightDecay)")
        }
        guard archBeta1 >= 0, archBeta1 < 1 else { throw fail("--arch-beta1 must lie in [0, 1), got \(archBeta1)") }
        guard archBeta2 >= 0, archBeta2 < 1 else { throw fail("archBeta2 (Adam beta2 of the architecture optimizer) must lie in [0, 1), got \(archBeta2)") }
        guard warmupEpochs >= 0 else { throw fail("--warmup-epochs must be >= 0, got \(warmupEpochs)") }
        guard warmupEpochs < epochs else {
            throw fail("--warmup-epochs \(warmupEpochs) covers all \(epochs) epochs, so no architecture step would run: lower --warmup-epochs or raise --epochs")
        }
        guard trainPortion > 0, trainPortion < 1 else { throw fail("--train-portion must be in (0, 1), got \(trainPortion)") }
        if let limit, limit < 4 { throw fail("--limit must be at least 4 images, got \(limit)") }
        if let gapEvery, gapEvery < 1 { throw fail("--gap-every must be at least 1 epoch, got \(gapEvery)") }
        if (weightFraction == nil) != (architectureFraction == nil) {
            throw fail("--weight-fraction and --arch-fraction go together; give both or neither")
        }
        if let w = weightFraction, let a = architectureFraction {
            guard w > 0, a > 0, w + a <= 1 else {
                throw fail("--weight-fraction \(w) and --arch-fraction \(a) must be positive with a sum of at most 1")
            }
            guard limit == nil else { throw fail("--limit does not go with --weight-fraction and --arch-fraction; drop one") }
        }
    }

    /// Every setting but `warmupLoweredFrom`, which only explains the schedule line: it is not
    /// stored, so checkpoints written before it existed, or with the warm-up given by hand, resume.
    private enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, learningRateMin, momentum, weightDecay, gradClip, archLearningRate
        case archWeightDecay, archBeta1, archBeta2, warmupEpochs, trainPortion, limit, weightFraction
        case architectureFraction, evalLimit, bnRecalibrationBatches, gapEvery
    }
}
