// Memory layout of 4-D tensors: NCHW row-major (the default) or NHWC, "channels last". Shapes
// and indexing stay NCHW; only the strides differ. Compiles against libtorch 1.13 and 2.x.
#include "shim.h"

namespace ctorch {
at::MemoryFormat memory_format(int format) {
  switch (format) {
    case CT_CONTIGUOUS_FORMAT: return at::MemoryFormat::Contiguous;
    case CT_CHANNELS_LAST: return at::MemoryFormat::ChannelsLast;
    default: throw std::invalid_argument("unknown memory format code " + std::to_string(format));
  }
}
}  // namespace ctorch

using namespace ctorch;

extern "C" {

int ct_is_contiguous(ct_tensor t, int format) {
  CT_TRY(-1, { return T(t).is_contiguous(memory_format(format)) ? 1 : 0; })
}

int ct_memory_format_of(ct_tensor t) {
  CT_TRY(-1, {
    return T(t).suggest_memory_format() == at::MemoryFormat::ChannelsLast ? CT_CHANNELS_LAST : CT_CONTIGUOUS_FORMAT;
  })
}

ct_tensor ct_to_memory_format(ct_tensor t, int format) {
  CT_TRY(nullptr, {
    const at::Tensor &x = T(t);
    return wrap(x.to(x.options(), /*non_blocking=*/false, /*copy=*/false, memory_format(format)));
  })
}

}  // extern "C"
