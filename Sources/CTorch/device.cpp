// Devices: where a tensor lives, moving it, and the CUDA side of seeding. Compiles against
// libtorch 1.13 and 2.x, with or without CUDA (then every CUDA request is a thrown error).
#include "shim.h"
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/api/include/torch/version.h>
#ifdef CT_WITH_CUDA  // the wheel-cuda backend: libtorch_cuda and c10_cuda are linked
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

using namespace ctorch;

static at::Device device_of(int type, int index) {
  if (type == CT_CPU) return at::Device(at::kCPU);
  if (type != CT_CUDA) throw std::invalid_argument("unknown device type " + std::to_string(type));
  if (!at::hasCUDA())
    throw std::runtime_error("CUDA is not available in this libtorch build or on this machine (no GPU or driver)");
  int count = (int)at::detail::getCUDAHooks().getNumGPUs();
  if (index < 0 || index >= count)
    throw std::invalid_argument("cuda:" + std::to_string(index) + " does not exist; this machine has " +
                                std::to_string(count) + " CUDA device(s)");
  return at::Device(at::kCUDA, (c10::DeviceIndex)index);
}

extern "C" {

int ct_device_type(ct_tensor t, int *index) {
  CT_TRY(-1, {
    at::Device d = T(t).device();
    if (index) *index = d.has_index() ? (int)d.index() : 0;
    if (d.is_cpu()) return CT_CPU;
    if (d.is_cuda()) return CT_CUDA;
    throw std::invalid_argument(std::string("tensor on an unsupported device: ") + d.str());
  })
}

ct_tensor ct_to_device(ct_tensor t, int type, int index, bool non_blocking) {
  CT_TRY(nullptr, { return wrap(T(t).to(device_of(type, index), non_blocking)); })
}

int ct_set_data(ct_tensor t, ct_tensor source) {
  CT_TRY(-1, {
    T(t).set_data(T(source));
    return 0;
  })
}

ct_tensor ct_zeros_like(ct_tensor t) {
  CT_TRY(nullptr, { return wrap(at::zeros_like(T(t))); })
}

ct_tensor ct_pin_memory(ct_tensor t) {
  CT_TRY(nullptr, { return wrap(at::hasCUDA() ? T(t).pin_memory() : T(t)); })
}

int ct_cuda_manual_seed_all(uint64_t seed) {
  CT_TRY(-1, {
    if (!at::hasCUDA()) return 0;
    int count = (int)at::detail::getCUDAHooks().getNumGPUs();
    for (int i = 0; i < count; ++i) {
#if TORCH_VERSION_MAJOR >= 2
      auto gen = at::detail::getCUDAHooks().getDefaultGenerator((c10::DeviceIndex)i);
#else
      auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator((c10::DeviceIndex)i);
#endif
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    return 0;
  })
}

bool ct_cuda_linked(void) {
#ifdef CT_WITH_CUDA
  return true;
#else
  return false;
#endif
}

int64_t ct_cuda_memory(int index, int which) {
  CT_TRY(-1, {
#ifdef CT_WITH_CUDA
    (void)device_of(CT_CUDA, index);  // checks that the device exists
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats((c10::DeviceIndex)index);
    const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    switch (which) {
      case 0: return (int64_t)stats.allocated_bytes[aggregate].current;
      case 1: return (int64_t)stats.allocated_bytes[aggregate].peak;
      case 2: return (int64_t)stats.reserved_bytes[aggregate].peak;
      default: throw std::invalid_argument("unknown CUDA memory statistic " + std::to_string(which));
    }
#else
    (void)index; (void)which;
    throw std::runtime_error("CUDA memory statistics need the wheel-cuda build (ENTRANNAS_TORCH=wheel-cuda)");
    return (int64_t)-1;
#endif
  })
}

int ct_cuda_reset_peak_memory(int index) {
  CT_TRY(-1, {
#ifdef CT_WITH_CUDA
    (void)device_of(CT_CUDA, index);
    c10::cuda::CUDACachingAllocator::resetPeakStats((c10::DeviceIndex)index);
    return 0;
#else
    (void)index;
    throw std::runtime_error("CUDA memory statistics need the wheel-cuda build (ENTRANNAS_TORCH=wheel-cuda)");
    return -1;
#endif
  })
}

int ct_cuda_synchronize(int index) {
  CT_TRY(-1, {
#ifdef CT_WITH_CUDA
    (void)device_of(CT_CUDA, index);
    c10::cuda::device_synchronize();
    return 0;
#else
    (void)index;
    return 0;
#endif
  })
}

}  // extern "C"
