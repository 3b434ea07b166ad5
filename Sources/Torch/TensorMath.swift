import CTorch

// Elementwise arithmetic with broadcasting, comparisons, and unary functions.

extension Tensor {
    func unary(_ op: ct_unary_op, _ name: String) -> Tensor {
        Tensor(owning: ct_unary(Int32(op.rawValue), handle), name)
    }
    func binary(_ op: ct_binary_op, _ other: Tensor, _ name: String) -> Tensor {
        Tensor(owning: ct_binary(Int32(op.rawValue), handle, other.handle), name)
    }
    func binary(_ op: ct_binary_op, _ s: Double, _ name: String) -> Tensor {
        Tensor(owning: ct_binary_scalar(Int32(op.rawValue), handle, s), name)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_ADD, b, "add") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_SUB, b, "sub") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_MUL, b, "mul") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.binary(CT_DIV, b, "div") }
    public static func + (a: Tensor, s: Double) -> Tensor { a.binary(CT_ADD, s, "add") }
    public static func - (a: Tensor, s: Double) -> Tensor { a.binary(CT_SUB, s, "sub") }
    public static func * (a: Tensor, s: Double) -> Tensor { a.binary(CT_MUL, s, "mul") }
    public static func / (a: Tensor, s: Double) -> Tensor { a.binary(CT_DIV, s, "div") }
    public static func + (s: Double, a: Tensor) -> Tensor { a.binary(CT_ADD, s, "add") }
    public static func - (s: Double, a: Tensor) -> Tensor { a.binary(CT_RSUB, s, "rsub") }
    public static func * (s: Double, a: Tensor) -> Tensor { a.binary(CT_MUL, s, "mul") }
    public static func / (s: Double, a: Tensor) -> Tensor { a.binary(CT_RDIV, s, "rdiv") }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(CT_NEG, "neg") }

    public func pow(_ exponent: Double) -> Tensor { binary(CT_POW, exponent, "pow") }
    public func pow(_ exponent: Tensor) -> Tensor { binary(CT_POW, exponent, "pow") }
    public func maximum(_ other: Tensor) -> Tensor { binary(CT_MAXIMUM, other, "maximum") }
    public func minimum(_ other: Tensor) -> Tensor { binary(CT_MINIMUM, other, "minimum") }

    // Comparisons return bool tensors.
    public func eq(_ o: Tensor) -> Tensor { binary(CT_EQ, o, "eq") }
    public func ne(_ o: Tensor) -> Tensor { binary(CT_NE, o, "ne") }
    public func lt(_ o: Tensor) -> Tensor { binary(CT_LT, o, "lt") }
    public func le(_ o: Tensor) -> Tensor { binary(CT_LE, o, "le") }
    public func gt(_ o: Tensor) -> Tensor { binary(CT_GT, o, "gt") }
    public func ge(_ o: Tensor) -> Tensor { binary(CT_GE, o, "ge") }
    public func eq(_ s: Double) -> Tensor { binary(CT_EQ, s, "eq") }
    public func ne(_ s: Double) -> Tensor { binary(CT_NE, s, "ne") }
    public func lt(_ s: Double) -> Tensor { binary(CT_LT, s, "lt") }
    public func le(_ s: Double) -> Tensor { binary(CT_LE, s, "le") }
    public func gt(_ s: Double) -> Tensor { binary(CT_GT, s, "gt") }
    public func ge(_ s: Double) -> Tensor { binary(CT_GE, s, "ge") }

    public func exp() -> Tensor { unary(CT_EXP, "exp") }
    public func log() -> Tensor { unary(CT_LOG, "log") }
    public func sqrt() -> Tensor { unary(CT_SQRT, "sqrt") }
    public func rsqrt() -> Tensor { unary(CT_RSQRT, "rsqrt") }
    public func square() -> Tensor { unary(CT_SQUARE, "square") }
    public func abs() -> Tensor { unary(CT_ABS, "abs") }
    public func relu() -> Tensor { unary(CT_RELU, "relu") }
    public func sigmoid() -> Tensor { unary(CT_SIGMOID, "sigmoid") }
    public func tanh() -> Tensor { unary(CT_TANH, "tanh") }
    public func sign() -> Tensor { unary(CT_SIGN, "sign") }
    public func floor() -> Tensor { unary(CT_FLOOR, "floor") }
    public func isNaN() -> Tensor { unary(CT_ISNAN, "isnan") }
    public func isFinite() -> Tensor { unary(CT_ISFINITE, "isfinite") }
    public func logicalNot() -> Tensor { unary(CT_LOGICAL_NOT, "logical_not") }

    public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor {
        Tensor(owning: ct_clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamp")
    }

    /// Elementwise `condition ? a : b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        Tensor(owning: ct_where(condition.handle, a.handle, b.handle), "where")
    }

    public func to(_ dtype: DType) -> Tensor { Tensor(owning: ct_to_dtype(handle, dtype.rawValue), "to(\(dtype))") }

    // MARK: reductions

    func reduce(_ op: ct_reduce_op, _ dims: [Int], _ keepDims: Bool, _ name: String) -> Tensor {
        let d = dims.map(Int64.init)
        return Tensor(owning: ct_reduce(Int32(op.rawValue), handle, d, Int64(d.count), keepDims), name)
    }
    /// Sum of all elements (0-D), or over `dims`.
    public func sum(dims: [Int] = [], keepDims: Bool = false) -> Tensor { reduce(CT_SUM, dims, keepDims, "sum") }
    public func sum(dim: Int, keepDims: Bool = false) -> Tensor { reduce(CT_SUM, [dim], keepDims, "sum") }
    public func mean(dims: [Int] = [], keepDims: Bool = false) -> Tensor { reduce(CT_MEAN, dims, keepDims, "mean") }
    public func mean(dim: Int, keepDims: Bool = false) -> Tensor { reduce(CT_MEAN, [dim], keepDims, "mean") }
    public func max(dims: [Int] = [], keepDims: Bool = false) -> Tensor { reduce(CT_AMAX, dims, keepDims, "amax") }
    public func max(dim: Int, keepDims: Bool = false) -> Tensor { reduce(CT_AMAX, [dim], keepDims, "amax") }
    public func min(dims: [Int] = [], keepDims: Bool = false) -> Tensor { reduce(CT_AMIN, dims, keepDims, "amin") }
    public func min(dim: Int, keepDims: Bool = false) -> Tensor { reduce(CT_AMIN, [dim], keepDims, "amin") }
    public func argmax(dim: Int, keepDims: Bool = false) -> Tensor {
        Tensor(owning: ct_argmax(handle, Int64(dim), keepDims), "argmax")
    }
    /// Indices of the k largest entries along `dim`, largest first.
    public func topkIndices(_ k: Int, dim: Int = -1) -> Tensor {
        Tensor(owning: ct_topk_indices(handle, Int64(k), Int64(dim)), "topk")
    }
    /// Euclidean norm of all elements.
    public func norm() -> Tensor { square().sum().sqrt() }

    // MARK: linear algebra

    public func matmul(_ other: Tensor) -> Tensor { Tensor(owning: ct_matmul(handle, other.handle), "matmul") }
}
