// Internal helpers shared by the shim's translation units (not part of the C API).
#pragma once
#include <ATen/ATen.h>
#include <string>
#include <vector>
#include "ctorch.h"

struct ct_tensor_s { at::Tensor t; };

namespace ctorch {
void set_error(const char *msg) noexcept;
inline ct_tensor wrap(at::Tensor t) { return new ct_tensor_s{std::move(t)}; }
inline at::Tensor &T(ct_tensor h) {
  if (!h) throw std::invalid_argument("null tensor handle");
  return h->t;
}
inline c10::optional<at::Tensor> opt(ct_tensor h) {
  if (!h) return c10::nullopt;
  return h->t;
}
at::ScalarType scalar_type(int dtype);
int dtype_code(at::ScalarType st);
/// CT_CONTIGUOUS_FORMAT or CT_CHANNELS_LAST as libtorch's MemoryFormat; throws for other codes.
at::MemoryFormat memory_format(int format);
inline at::IntArrayRef dims(const int64_t *p, int64_t n) { return at::IntArrayRef(p, (size_t)n); }
/// The tensors of n handles, for the operations that take a list.
inline std::vector<at::Tensor> tensor_list(const ct_tensor *ts, int64_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int64_t i = 0; i < n; i++) v.push_back(T(ts[i]));
  return v;
}
}  // namespace ctorch

// Wraps a body so that no exception escapes: on failure the message is stored and `fail` returned.
#define CT_TRY(fail, ...)                                   \
  try {                                                     \
    __VA_ARGS__                                             \
  } catch (const std::exception &e) {                       \
    ctorch::set_error(e.what());                            \
    return fail;                                            \
  } catch (...) {                                           \
    ctorch::set_error("unknown C++ exception in libtorch"); \
    return fail;                                            \
  }
