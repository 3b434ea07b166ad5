/// Named search scales, next to the training presets (`TrainingPreset`): `quick` finishes in
/// minutes on 2 CPU cores (the weights barely move); `cpu` is the smallest search in which the
/// architecture visibly learns on 2 cores (docs/presets.md#cpu-preset); `paper` is the method's
/// published scale; `imagenet` is PC-DARTS' direct ImageNet search (ImageNet stem, 10% + 2.5% of
/// every class, batch 1024), which the paper's EnTranNAS-DST ImageNet search most likely follows
/// (docs/method.md#imagenet-search).
public enum SearchPreset: String, Codable, CaseIterable, Sendable {
    case quick, cpu, paper, imagenet
}

extension SearchSpaceConfig {
    /// The preset's search space for `method` on images of the given shape. `layers`,
    /// `initChannels` and `steps` replace the preset's (they are given here, not set after:
    /// the Engine-cells and the cell's output width follow from them).
    public init(preset: SearchPreset, method: SearchMethod, primitives: [Primitive] = Primitive.darts,
                layers: Int? = nil, initChannels: Int? = nil, steps: Int? = nil,
                inputChannels: Int, imageSize: Int, classes: Int) {
        let small = preset == .quick || preset == .cpu
        self.init(method: method, primitives: primitives, layers: layers ?? (small ? 5 : 8),
                  initChannels: initChannels ?? (small ? 8 : 16), steps: steps ?? 4,
                  inputChannels: inputChannels, imageSize: imageSize, classes: classes)
        if preset == .imagenet {
            style = .imagenet
            if method == .pcDarts { partialChannels = 2 }  // PC-DARTS' K for ImageNet
        }
        // Without a sparsity term DST pruned about 30% in the cpu preset's budget; 0.1 pruned to
        // one input per node; 0.02 prunes more than half (docs/presets.md#dst-sparsity-and-renormalisation).
        if preset == .cpu && method == .entrannasDST { dstSparsity = 0.02 }
    }
}

extension SearchHyperparameters {
    /// The preset's schedule for `method` (`paper`: the method's own, as `init(method:)`).
    public init(preset: SearchPreset, method: SearchMethod) {
        self.init(method: method)
        let dartsRate = method == .darts || method == .darts2nd
        switch preset {
        case .paper:
            break
        case .quick:
            (epochs, warmupEpochs, batchSize, limit) = (6, 2, 64, 2_000)
            learningRate = dartsRate ? 0.025 : 0.05
            // 60 architecture steps instead of DARTS' ~20,000: a larger step lets alphas move visibly.
            archLearningRate = 6e-3
        case .cpu:
            // Measured (docs/presets.md#cpu-preset): enough architecture steps, with a step size
            // large enough, for the op weights to separate within 10-15 CPU minutes (EnTranNAS).
            (epochs, warmupEpochs, batchSize, limit) = (10, 2, 64, 10_000)
            learningRate = dartsRate ? 0.025 : 0.05
            // 3e-3 and 1e-2 left the weights near uniform after 600 steps (mean max weight 0.13
            // and 0.15 of 0.125); 3e-2 moved them to 0.2-0.25.
            archLearningRate = 3e-2
            evalLimit = 2_000
        case .imagenet:
            (epochs, warmupEpochs, batchSize) = (50, 35, 1024)
            (learningRate, learningRateMin, archLearningRate) = (0.5, 0, 6e-3)
            (weightFraction, architectureFraction) = (0.1, 0.025)
        }
    }
}
