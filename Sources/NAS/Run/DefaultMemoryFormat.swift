import Torch

extension MemoryFormat {
    /// The layout a search or training computes in when none is asked for, as
    /// benchmarks/layouts.sh measured it (docs/performance.md#cpu-layouts): channels-last on a CPU,
    /// faster there for every method but PC-DARTS (its channel shuffle and partial channels pay for
    /// the NHWC copies), and NCHW on a GPU, where channels-last was not measured faster. `method`
    /// is nil for a training, which has no search method.
    public static func measuredDefault(method: SearchMethod? = nil, device: Device) -> MemoryFormat {
        device.isCUDA || method == .pcDarts ? .contiguous : .channelsLast
    }
}
