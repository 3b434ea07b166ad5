// Multi-tensor ("foreach") updates: one call for a whole list of tensors, as torch.optim's
// foreach implementations use them. On a GPU one call launches a few kernels for the whole list
// instead of one per tensor; on a CPU libtorch loops over the list, computing what the per-tensor
// operations compute.
#include "shim.h"

using namespace ctorch;

extern "C" {
int ct_foreach_mul_scalar_(const ct_tensor *self, int64_t n, double scalar) {
  CT_TRY(-1, {
    at::_foreach_mul_(tensor_list(self, n), scalar);
    return 0;
  })
}

int ct_foreach_add_list_(const ct_tensor *self, const ct_tensor *other, int64_t n, double alpha) {
  CT_TRY(-1, {
    at::_foreach_add_(tensor_list(self, n), tensor_list(other, n), alpha);
    return 0;
  })
}

int ct_foreach_mul_scalar(const ct_tensor *self, int64_t n, double scalar, ct_tensor *out) {
  CT_TRY(-1, {
    auto results = at::_foreach_mul(tensor_list(self, n), scalar);
    for (int64_t i = 0; i < n; i++) out[i] = wrap(results[i]);
    return 0;
  })
}

int ct_foreach_add_list(const ct_tensor *self, const ct_tensor *other, int64_t n, double alpha, ct_tensor *out) {
  CT_TRY(-1, {
    auto results = at::_foreach_add(tensor_list(self, n), tensor_list(other, n), alpha);
    for (int64_t i = 0; i < n; i++) out[i] = wrap(results[i]);
    return 0;
  })
}
}
