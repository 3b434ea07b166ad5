// Elementwise arithmetic, reductions, linear algebra and the nn functional ops.
#include "shim.h"

using namespace ctorch;

extern "C" {
ct_tensor ct_unary(int op, ct_tensor h) {
  CT_TRY(nullptr, {
    const at::Tensor &t = T(h);
    switch (op) {
      case CT_NEG: return wrap(t.neg());
      case CT_EXP: return wrap(t.exp());
      case CT_LOG: return wrap(t.log());
      case CT_SQRT: return wrap(t.sqrt());
      case CT_ABS: return wrap(t.abs());
      case CT_RELU: return wrap(t.relu());
      case CT_SIGMOID: return wrap(t.sigmoid());
      case CT_TANH: return wrap(t.tanh());
      case CT_SIGN: return wrap(t.sign());
      case CT_FLOOR: return wrap(t.floor());
      case CT_ISNAN: return wrap(t.isnan());
      case CT_LOGICAL_NOT: return wrap(t.logical_not());
      case CT_SQUARE: return wrap(t.square());
      case CT_RSQRT: return wrap(t.rsqrt());
      case CT_ISFINITE: return wrap(t.isfinite());
    }
    throw std::invalid_argument("unknown unary op " + std::to_string(op));
  })
}

static at::Tensor binary(int op, const at::Tensor &a, const at::Tensor &b) {
  switch (op) {
    case CT_ADD: return a.add(b);
    case CT_SUB: return a.sub(b);
    case CT_MUL: return a.mul(b);
    case CT_DIV: return a.div(b);
    case CT_POW: return a.pow(b);
    case CT_MAXIMUM: return at::maximum(a, b);
    case CT_MINIMUM: return at::minimum(a, b);
    case CT_EQ: return a.eq(b);
    case CT_NE: return a.ne(b);
    case CT_LT: return a.lt(b);
    case CT_LE: return a.le(b);
    case CT_GT: return a.gt(b);
    case CT_GE: return a.ge(b);
    case CT_RSUB: return b.sub(a);
    case CT_RDIV: return b.div(a);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

ct_tensor ct_binary(int op, ct_tensor a, ct_tensor b) { CT_TRY(nullptr, { return wrap(binary(op, T(a), T(b))); }) }

ct_tensor ct_binary_scalar(int op, ct_tensor a, double s) {
  CT_TRY(nullptr, {
    const at::Tensor &t = T(a);
    at::Scalar sc(s);
    switch (op) {
      case CT_ADD: return wrap(t.add(sc));
      case CT_SUB: return wrap(t.sub(sc));
      case CT_MUL: return wrap(t.mul(sc));
      case CT_DIV: return wrap(t.div(sc));
      case CT_POW: return wrap(t.pow(sc));
      case CT_MAXIMUM: return wrap(t.clamp_min(sc));
      case CT_MINIMUM: return wrap(t.clamp_max(sc));
      case CT_EQ: return wrap(t.eq(sc));
      case CT_NE: return wrap(t.ne(sc));
      case CT_LT: return wrap(t.lt(sc));
      case CT_LE: return wrap(t.le(sc));
      case CT_GT: return wrap(t.gt(sc));
      case CT_GE: return wrap(t.ge(sc));
      case CT_RSUB: return wrap(at::rsub(t, sc));
      case CT_RDIV: return wrap(t.reciprocal().mul(sc));
    }
    throw std::invalid_argument("unknown binary op " + std::to_string(op));
  })
}

ct_tensor ct_clamp(ct_tensor t, double lo, double hi, bool has_lo, bool has_hi) {
  CT_TRY(nullptr, {
    c10::optional<at::Scalar> l, h;
    if (has_lo) l = at::Scalar(lo);
    if (has_hi) h = at::Scalar(hi);
    return wrap(T(t).clamp(l, h));
  })
}
ct_tensor ct_where(ct_tensor c, ct_tensor a, ct_tensor b) { CT_TRY(nullptr, { return wrap(at::where(T(c), T(a), T(b))); }) }

ct_tensor ct_reduce(int op, ct_tensor h, const int64_t *d, int64_t nd, bool keepdim) {
  CT_TRY(nullptr, {
    const at::Tensor &t = T(h);
    at::IntArrayRef ds = nd > 0 ? dims(d, nd) : at::IntArrayRef();
    switch (op) {
      case CT_SUM: return wrap(nd > 0 ? t.sum(ds, keepdim) : t.sum());
      case CT_MEAN: return wrap(nd > 0 ? t.mean(ds, keepdim) : t.mean());
      case CT_AMAX: return wrap(t.amax(ds, keepdim));
      case CT_AMIN: return wrap(t.amin(ds, keepdim));
    }
    throw std::invalid_argument("unknown reduction " + std::to_string(op));
  })
}
ct_tensor ct_argmax(ct_tensor t, int64_t dim, bool keepdim) { CT_TRY(nullptr, { return wrap(T(t).argmax(dim, keepdim)); }) }
ct_tensor ct_topk_indices(ct_tensor t, int64_t k, int64_t dim) { CT_TRY(nullptr, { return wrap(std::get<1>(T(t).topk(k, dim))); }) }

ct_tensor ct_matmul(ct_tensor a, ct_tensor b) { CT_TRY(nullptr, { return wrap(at::matmul(T(a), T(b))); }) }
ct_tensor ct_addmm(ct_tensor input, ct_tensor a, ct_tensor b) { CT_TRY(nullptr, { return wrap(at::addmm(T(input), T(a), T(b))); }) }
ct_tensor ct_linear(ct_tensor x, ct_tensor w, ct_tensor b) { CT_TRY(nullptr, { return wrap(at::linear(T(x), T(w), opt(b))); }) }
ct_tensor ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t stride[2], const int64_t padding[2],
                    const int64_t dilation[2], int64_t groups) {
  CT_TRY(nullptr, {
    return wrap(at::conv2d(T(x), T(w), opt(b), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups));
  })
}
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t k[2], const int64_t s[2], const int64_t p[2], bool ceil_mode) {
  CT_TRY(nullptr, { return wrap(at::max_pool2d(T(x), dims(k, 2), dims(s, 2), dims(p, 2), {1, 1}, ceil_mode)); })
}
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t k[2], const int64_t s[2], const int64_t p[2], bool ceil_mode,
                        bool count_include_pad) {
  CT_TRY(nullptr, { return wrap(at::avg_pool2d(T(x), dims(k, 2), dims(s, 2), dims(p, 2), ceil_mode, count_include_pad)); })
}
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, const int64_t out[2]) {
  CT_TRY(nullptr, { return wrap(at::adaptive_avg_pool2d(T(x), dims(out, 2))); })
}
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor rm, ct_tensor rv, bool training,
                        double momentum, double eps) {
  CT_TRY(nullptr, {
    return wrap(at::batch_norm(T(x), opt(w), opt(b), opt(rm), opt(rv), training, momentum, eps, false));
  })
}
ct_tensor ct_dropout(ct_tensor x, double p, bool training) { CT_TRY(nullptr, { return wrap(at::dropout(T(x), p, training)); }) }
ct_tensor ct_softmax(ct_tensor t, int64_t dim) { CT_TRY(nullptr, { return wrap(T(t).softmax(dim)); }) }
ct_tensor ct_log_softmax(ct_tensor t, int64_t dim) { CT_TRY(nullptr, { return wrap(T(t).log_softmax(dim)); }) }
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, double ls) {
  CT_TRY(nullptr, {
    return wrap(at::cross_entropy_loss(T(logits), T(target), c10::nullopt, at::Reduction::Mean, -100, ls));
  })
}

int ct_copy_(ct_tensor d, ct_tensor s) { CT_TRY(-1, { T(d).copy_(T(s)); return 0; }) }
int ct_zero_(ct_tensor t) { CT_TRY(-1, { T(t).zero_(); return 0; }) }
int ct_fill_(ct_tensor t, double v) { CT_TRY(-1, { T(t).fill_(v); return 0; }) }
int ct_add_(ct_tensor t, ct_tensor o, double alpha) {
  CT_TRY(-1, {
    if (alpha == 1.0) T(t).add_(T(o)); else T(t).add_(T(o), alpha);
    return 0;
  })
}
int ct_mul_scalar_(ct_tensor t, double s) { CT_TRY(-1, { T(t).mul_(s); return 0; }) }
int ct_mul_(ct_tensor t, ct_tensor o) { CT_TRY(-1, { T(t).mul_(T(o)); return 0; }) }
int ct_addcmul_(ct_tensor t, ct_tensor a, ct_tensor b, double v) { CT_TRY(-1, { T(t).addcmul_(T(a), T(b), v); return 0; }) }
int ct_addcdiv_(ct_tensor t, ct_tensor a, ct_tensor b, double v) { CT_TRY(-1, { T(t).addcdiv_(T(a), T(b), v); return 0; }) }
}
