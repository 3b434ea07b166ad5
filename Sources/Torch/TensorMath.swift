import CTorch

// Elementwise arithmetic with broadcasting, comparisons, and unary functions.

extension Tensor {
    func unary(_ op: ct_unary_op, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_unary(Int32(op.rawValue), handle), name)
    }
    func binary(_ op: ct_binary_op, _ other: Tensor, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_binary(Int32(op.rawValue), handle, other.handle), name)
    }
    func binary(_ op: ct_binary_op, _ s: Double, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_binary_scalar(Int32(op.rawValue), handle, s), name)
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_ADD, b, "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_SUB, b, "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_MUL, b, "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_DIV, b, "div") }
    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_SUB, s, "sub") }
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_DIV, s, "div") }
    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_RSUB, s, "rsub") }
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    public static func / (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_RDIV, s, "rdiv") }
    public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(CT_NEG, "neg") }

    public func pow(_ exponent: Double) throws -> Tensor { try binary(CT_POW, exponent, "pow") }
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(CT_POW, exponent, "pow") }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(CT_MAXIMUM, other, "maximum") }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(CT_MINIMUM, other, "minimum") }

    // Comparisons return bool tensors.
    public func eq(_ o: Tensor) throws -> Tensor { try binary(CT_EQ, o, "eq") }
    public func ne(_ o: Tensor) throws -> Tensor { try binary(CT_NE, o, "ne") }
    public func lt(_ o: Tensor) throws -> Tensor { try binary(CT_LT, o, "lt") }
    public func le(_ o: Tensor) throws -> Tensor { try binary(CT_LE, o, "le") }
    public func gt(_ o: Tensor) throws -> Tensor { try binary(CT_GT, o, "gt") }
    public func ge(_ o: Tensor) throws -> Tensor { try binary(CT_GE, o, "ge") }
    public func eq(_ s: Double) throws -> Tensor { try binary(CT_EQ, s, "eq") }
    public func ne(_ s: Double) throws -> Tensor { try binary(CT_NE, s, "ne") }
    public func lt(_ s: Double) throws -> Tensor { try binary(CT_LT, s, "lt") }
    public func le(_ s: Double) throws -> Tensor { try binary(CT_LE, s, "le") }
    public func gt(_ s: Double) throws -> Tensor { try binary(CT_GT, s, "gt") }
    public func ge(_ s: Double) throws -> Tensor { try binary(CT_GE, s, "ge") }

    public func exp() throws -> Tensor { try unary(CT_EXP, "exp") }
    public func log() throws -> Tensor { try unary(CT_LOG, "log") }
    public func sqrt() throws -> Tensor { try unary(CT_SQRT, "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(CT_RSQRT, "rsqrt") }
    public func square() throws -> Tensor { try unary(CT_SQUARE, "square") }
    public func abs() throws -> Tensor { try unary(CT_ABS, "abs") }
    public func relu() throws -> Tensor { try unary(CT_RELU, "relu") }
    public func sigmoid() throws -> Tensor { try unary(CT_SIGMOID, "sigmoid") }
    public func tanh() throws -> Tensor { try unary(CT_TANH, "tanh") }
    public func sign() throws -> Tensor { try unary(CT_SIGN, "sign") }
    public func floor() throws -> Tensor { try unary(CT_FLOOR, "floor") }
    public func isNaN() throws -> Tensor { try unary(CT_ISNAN, "isnan") }
    public func isFinite() throws -> Tensor { try unary(CT_ISFINITE, "isfinite") }
    public func logicalNot() throws -> Tensor { try unary(CT_LOGICAL_NOT, "logical_not") }

    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try Tensor(owning: ct_clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamp")
    }

    /// Elementwise `condition ? a : b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Tensor(owning: ct_where(condition.handle, a.handle, b.handle), "where")
    }

    public func to(_ dtype: DType) throws -> Tensor { try Tensor(owning: ct_to_dtype(handle, dtype.rawValue), "to(\(dtype))") }

    // MARK: reductions

    func reduce(_ op: ct_reduce_op, _ dims: [Int], _ keepDims: Bool, _ name: String) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor(owning: ct_reduce(Int32(op.rawValue), handle, d, Int64(d.count), keepDims), name)
    }
    /// Sum of all elements (0-D), or over `dims`.
    public func sum(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_SUM, dims, keepDims, "sum") }
    public func sum(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_SUM, [dim], keepDims, "sum") }
    public func mean(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_MEAN, dims, keepDims, "mean") }
    public func mean(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_MEAN, [dim], keepDims, "mean") }
    public func max(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMAX, dims, keepDims, "amax") }
    public func max(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMAX, [dim], keepDims, "amax") }
    public func min(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMIN, dims, keepDims, "amin") }
    public func min(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMIN, [dim], keepDims, "amin") }
    public func argmax(dim: Int, keepDims: Bool = false) throws -> Tensor {
        try Tensor(owning: ct_argmax(handle, Int64(dim), keepDims), "argmax")
    }
    /// Indices of the k largest entries along `dim`, largest first.
    public func topkIndices(_ k: Int, dim: Int = -1) throws -> Tensor {
        try Tensor(owning: ct_topk_indices(handle, Int64(k), Int64(dim)), "topk")
    }
    /// Euclidean norm of all elements.
    public func norm() throws -> Tensor { try square().sum().sqrt() }

    // MARK: linear algebra

    public func matmul(_ other: Tensor) throws -> Tensor { try Tensor(owning: ct_matmul(handle, other.handle), "matmul") }
}
