// Errors, threads, allocator, RNG and grad mode.
#include "shim.h"
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/api/include/torch/version.h>  // full path: no extra include folder needed
#include <malloc.h>
#include <cerrno>
#include <cstdlib>
#include <thread>

namespace ctorch {
static thread_local std::string last_error;
// Called from the catch handlers: it must not throw itself (a message of kilobytes could fail
// to allocate), or the exception would leave the extern "C" function after all.
void set_error(const char *msg) noexcept {
  try {
    last_error = msg ? msg : "";
  } catch (...) {
    last_error.clear();  // frees nothing new; the caller still sees the failure code
  }
}

at::ScalarType scalar_type(int dtype) {
  switch (dtype) {
    case CT_FLOAT32: return at::kFloat;
    case CT_FLOAT64: return at::kDouble;
    case CT_INT64: return at::kLong;
    case CT_UINT8: return at::kByte;
    case CT_BOOL: return at::kBool;
    case CT_INT32: return at::kInt;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}
int dtype_code(at::ScalarType st) {
  switch (st) {
    case at::kFloat: return CT_FLOAT32;
    case at::kDouble: return CT_FLOAT64;
    case at::kLong: return CT_INT64;
    case at::kByte: return CT_UINT8;
    case at::kBool: return CT_BOOL;
    case at::kInt: return CT_INT32;
    default: return -1;
  }
}

// Pitfalls 1 and 2 of docs/libtorch-binding.md#pitfalls, fixed when the library loads: glibc
// must not hand multi-MB tensors back to the OS (it halves conv backward speed), and libtorch
// starts with 1 thread.
static bool allocator_tuned = false;
static int init_runtime() {
  if (!std::getenv("ENTRANNAS_NO_MALLOPT")) {
    allocator_tuned = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  }
  // Only a whole count up to 1024 (SizeLimits.threads) is taken here; anything else is left to
  // RuntimeOptions, which names it: before, "2000" started 2000 OpenMP threads (25 s) first.
  int n = 0;
  if (const char *env = std::getenv("ENTRANNAS_THREADS")) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(env, &end, 10);
    if (errno == 0 && end != env && *end == '\0' && value >= 1 && value <= 1024) n = (int)value;
  }
  if (n <= 0) n = (int)std::thread::hardware_concurrency();
  if (n <= 0) n = 1;
  try { at::set_num_threads(n); } catch (...) {}
  return 0;
}
static int runtime_initialised = init_runtime();
}  // namespace ctorch

using namespace ctorch;

extern "C" {
const char *ct_last_error(void) { return last_error.c_str(); }
void ct_clear_error(void) { last_error.clear(); }
const char *ct_version(void) { return TORCH_VERSION; }
int ct_get_num_threads(void) {
  try { return at::get_num_threads(); } catch (...) { return 1; }
}
void ct_set_num_threads(int n) {
  try { at::set_num_threads(n > 0 ? n : 1); } catch (...) {}
}
int ct_allocator_tuned(void) { return allocator_tuned ? 1 : 0; }
int ct_cuda_available(void) {
  try { return at::hasCUDA() ? 1 : 0; } catch (...) { return 0; }
}
int ct_cuda_device_count(void) {
  try { return at::hasCUDA() ? (int)at::detail::getCUDAHooks().getNumGPUs() : 0; } catch (...) { return 0; }
}
void ct_manual_seed(uint64_t seed) {
  // The first use creates the generator, which reads /dev/urandom and may throw.
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  } catch (const std::exception &e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in libtorch");
  }
}
ct_tensor ct_rng_get_state(void) {
  CT_TRY(nullptr, {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return wrap(gen.get_state());
  })
}
int ct_rng_set_state(ct_tensor state) {
  CT_TRY(-1, {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(T(state));
    return 0;
  })
}
bool ct_set_grad_enabled(bool enabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(enabled);
  return prev;
}
bool ct_is_grad_enabled(void) { return at::GradMode::is_enabled(); }
}
