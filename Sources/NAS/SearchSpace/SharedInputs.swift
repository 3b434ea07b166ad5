import Torch

/// What the ops of one cell forward pass that read the same state share, in the search cells and
/// the evaluation cells alike (docs/performance.md#shared-relu): one relu(input) for every op
/// that starts with a ReLU (`ReLUFirst`), and one copy of its polyphase components for the
/// dilated ones (`dil_conv_3x3` and `dil_conv_5x5` read one copy;
/// docs/performance.md#dilated-convolutions). A DST node reading five states with four such ops
/// each computes five ReLUs, not twenty. The numbers are the same; the backward sums the ops'
/// gradients before the one ReLU backward.
struct SharedInputs {
    private var activated: [Int: Tensor] = [:]
    private var components: [Int: PolyphaseComponents] = [:]
    /// The ReLUs computed so far: one per state read by a ReLU-first op.
    var relus: Int { activated.count }

    /// `op`'s output for state `state`, whose op input `input` gives (called on the state's
    /// first read only).
    mutating func output(of op: any ReLUFirst, state: Int, input: () throws -> Tensor) throws -> Tensor {
        let r = try activated[state] ?? input().relu()
        activated[state] = r
        if let dil = op as? DilConv, let d = dil.depthwise.phases(of: r) {
            let phases = try components[state].flatMap { $0.dilation == d ? $0 : nil } ?? PolyphaseComponents(r, dilation: d)
            components[state] = phases
            return try dil(activated: phases)
        }
        return try op(activated: r)
    }
}
