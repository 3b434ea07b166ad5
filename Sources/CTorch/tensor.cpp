// Lifetime, metadata, data transfer, creation and shape operations.
#include "shim.h"
#include <cstring>

using namespace ctorch;

static at::TensorOptions f32() { return at::TensorOptions().dtype(at::kFloat); }

extern "C" {
void ct_free(ct_tensor t) { delete t; }
int64_t ct_dim(ct_tensor t) { CT_TRY(-1, { return T(t).dim(); }) }
int64_t ct_sizes(ct_tensor t, int64_t *out, int64_t cap) {
  CT_TRY(-1, {
    auto s = T(t).sizes();
    for (int64_t i = 0; i < (int64_t)s.size() && i < cap; i++) out[i] = s[i];
    return (int64_t)s.size();
  })
}
int64_t ct_numel(ct_tensor t) { CT_TRY(-1, { return T(t).numel(); }) }
int ct_dtype_of(ct_tensor t) { CT_TRY(-1, { return dtype_code(T(t).scalar_type()); }) }
bool ct_requires_grad(ct_tensor t) { CT_TRY(false, { return T(t).requires_grad(); }) }
int ct_set_requires_grad(ct_tensor t, bool on) { CT_TRY(-1, { T(t).set_requires_grad(on); return 0; }) }
bool ct_is_leaf(ct_tensor t) { CT_TRY(false, { return T(t).is_leaf(); }) }
int ct_copy_out(ct_tensor t, void *dst, size_t nbytes) {
  CT_TRY(-1, {
    at::Tensor c = T(t).detach().to(at::kCPU).contiguous();
    size_t have = (size_t)c.numel() * c.element_size();
    if (have != nbytes)
      throw std::invalid_argument("copy_out: tensor has " + std::to_string(have) + " bytes, buffer " + std::to_string(nbytes));
    if (nbytes) std::memcpy(dst, c.data_ptr(), nbytes);
    return 0;
  })
}
ct_tensor ct_from_data(const void *data, const int64_t *shape, int64_t rank, int dtype) {
  CT_TRY(nullptr, {
    at::Tensor t = at::empty(dims(shape, rank), at::TensorOptions().dtype(scalar_type(dtype)));
    size_t n = (size_t)t.numel() * t.element_size();
    if (n) std::memcpy(t.data_ptr(), data, n);
    return wrap(t);
  })
}
double ct_item_double(ct_tensor t, int *ok) {
  *ok = 0;
  CT_TRY(0.0, {
    double value = T(t).item<double>();
    *ok = 1;
    return value;
  })
}
int64_t ct_item_int64(ct_tensor t, int *ok) {
  *ok = 0;
  CT_TRY((int64_t)0, {
    int64_t value = T(t).item<int64_t>();
    *ok = 1;
    return value;
  })
}
const void *ct_data_ptr(ct_tensor t) { CT_TRY(nullptr, { return T(t).data_ptr(); }) }

ct_tensor ct_full(const int64_t *shape, int64_t rank, double value, int dtype) {
  CT_TRY(nullptr, { return wrap(at::full(dims(shape, rank), value, at::TensorOptions().dtype(scalar_type(dtype)))); })
}
ct_tensor ct_randn(const int64_t *shape, int64_t rank) { CT_TRY(nullptr, { return wrap(at::randn(dims(shape, rank), f32())); }) }
ct_tensor ct_rand(const int64_t *shape, int64_t rank) { CT_TRY(nullptr, { return wrap(at::rand(dims(shape, rank), f32())); }) }
ct_tensor ct_bernoulli(const int64_t *shape, int64_t rank, double p) {
  CT_TRY(nullptr, { return wrap(at::empty(dims(shape, rank), f32()).bernoulli_(p)); })
}
ct_tensor ct_randperm(int64_t n) { CT_TRY(nullptr, { return wrap(at::randperm(n, at::TensorOptions().dtype(at::kLong))); }) }
ct_tensor ct_arange(double start, double end, double step, int dtype) {
  CT_TRY(nullptr, { return wrap(at::arange(start, end, step, at::TensorOptions().dtype(scalar_type(dtype)))); })
}
ct_tensor ct_uniform(const int64_t *shape, int64_t rank, double low, double high) {
  CT_TRY(nullptr, { return wrap(at::empty(dims(shape, rank), f32()).uniform_(low, high)); })
}
ct_tensor ct_normal(const int64_t *shape, int64_t rank, double mean, double std) {
  CT_TRY(nullptr, { return wrap(at::empty(dims(shape, rank), f32()).normal_(mean, std)); })
}

ct_tensor ct_shallow(ct_tensor t) { CT_TRY(nullptr, { return wrap(T(t)); }) }
ct_tensor ct_clone(ct_tensor t) { CT_TRY(nullptr, { return wrap(T(t).clone()); }) }
ct_tensor ct_detach(ct_tensor t) { CT_TRY(nullptr, { return wrap(T(t).detach()); }) }
ct_tensor ct_contiguous(ct_tensor t, int format) { CT_TRY(nullptr, { return wrap(T(t).contiguous(memory_format(format))); }) }
ct_tensor ct_to_dtype(ct_tensor t, int dtype) { CT_TRY(nullptr, { return wrap(T(t).to(scalar_type(dtype))); }) }
ct_tensor ct_reshape(ct_tensor t, const int64_t *shape, int64_t rank) { CT_TRY(nullptr, { return wrap(T(t).reshape(dims(shape, rank))); }) }
ct_tensor ct_permute(ct_tensor t, const int64_t *d, int64_t rank) { CT_TRY(nullptr, { return wrap(T(t).permute(dims(d, rank))); }) }
ct_tensor ct_transpose(ct_tensor t, int64_t d0, int64_t d1) { CT_TRY(nullptr, { return wrap(T(t).transpose(d0, d1)); }) }
ct_tensor ct_slice(ct_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  CT_TRY(nullptr, { return wrap(T(t).slice(dim, start, end, step)); })
}
ct_tensor ct_select(ct_tensor t, int64_t dim, int64_t index) { CT_TRY(nullptr, { return wrap(T(t).select(dim, index)); }) }
ct_tensor ct_index_select(ct_tensor t, int64_t dim, ct_tensor index) { CT_TRY(nullptr, { return wrap(T(t).index_select(dim, T(index))); }) }
ct_tensor ct_unsqueeze(ct_tensor t, int64_t dim) { CT_TRY(nullptr, { return wrap(T(t).unsqueeze(dim)); }) }
ct_tensor ct_squeeze_dim(ct_tensor t, int64_t dim) { CT_TRY(nullptr, { return wrap(T(t).squeeze(dim)); }) }
ct_tensor ct_expand(ct_tensor t, const int64_t *shape, int64_t rank) { CT_TRY(nullptr, { return wrap(T(t).expand(dims(shape, rank))); }) }

ct_tensor ct_cat(const ct_tensor *ts, int64_t n, int64_t dim) { CT_TRY(nullptr, { return wrap(at::cat(tensor_list(ts, n), dim)); }) }
ct_tensor ct_stack(const ct_tensor *ts, int64_t n, int64_t dim) { CT_TRY(nullptr, { return wrap(at::stack(tensor_list(ts, n), dim)); }) }
int64_t ct_chunk(ct_tensor t, int64_t chunks, int64_t dim, ct_tensor *out, int64_t cap) {
  CT_TRY(-1, {
    auto parts = T(t).chunk(chunks, dim);
    if ((int64_t)parts.size() > cap) throw std::invalid_argument("chunk: output capacity too small");
    for (size_t i = 0; i < parts.size(); i++) out[i] = wrap(parts[i]);
    return (int64_t)parts.size();
  })
}
int64_t ct_split_sizes(ct_tensor t, const int64_t *sizes, int64_t n, int64_t dim, ct_tensor *out) {
  CT_TRY(-1, {
    auto parts = T(t).split_with_sizes(dims(sizes, n), dim);
    for (size_t i = 0; i < parts.size(); i++) out[i] = wrap(parts[i]);
    return (int64_t)parts.size();
  })
}
ct_tensor ct_constant_pad(ct_tensor t, const int64_t *pad, int64_t npad, double value) {
  CT_TRY(nullptr, { return wrap(at::constant_pad_nd(T(t), dims(pad, npad), value)); })
}
}
