// c10d from libtorch itself: a TCP store for rendezvous and a Gloo process group with
// all-reduce, broadcast and barrier (the pieces PyTorch's DistributedDataParallel stands on).
// Gloo's headers come from Debian's libgloo-dev and match Debian's libtorch; the PyPI wheel does
// not ship them, so against the wheel every call here reports that Gloo is missing.
#include "shim.h"
#include <torch/csrc/api/include/torch/version.h>
#if TORCH_VERSION_MAJOR == 1 && __has_include(<gloo/rendezvous/store.h>)
#define USE_C10D_GLOO 1
#define CT_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#if defined(CT_WITH_CUDA) && TORCH_VERSION_MAJOR >= 2 && __has_include(<nccl.h>)
#define USE_C10D_NCCL 1
#define CT_HAVE_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#include <chrono>

using namespace ctorch;

// One of the two backends is set; both offer the same collectives.
struct ct_process_group_s {
#if CT_HAVE_GLOO || CT_HAVE_NCCL
  c10::intrusive_ptr<c10d::Store> store;
#endif
#if CT_HAVE_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#if CT_HAVE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
};

#if CT_HAVE_GLOO || CT_HAVE_NCCL
static c10::intrusive_ptr<c10d::Store> make_store(const char *host, int port, int rank, int world_size, int timeout_ms) {
  c10d::TCPStoreOptions options;
  options.port = (uint16_t)port;
  options.isServer = rank == 0;
  options.numWorkers = (size_t)world_size;
  options.waitWorkers = true;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  return c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
}
#endif

#if CT_HAVE_GLOO || CT_HAVE_NCCL
// Runs `body` on whichever backend the group has.
template <typename F> static int with_backend(ct_process_group g, F body) {
#if CT_HAVE_GLOO
  if (g->gloo) { body(*g->gloo); return 0; }
#endif
#if CT_HAVE_NCCL
  if (g->nccl) { body(*g->nccl); return 0; }
#endif
  (void)g; (void)body;
  throw std::runtime_error("this libtorch build has no process group (Gloo needs Debian's libtorch, NCCL the wheel-cuda build)");
}
#endif

extern "C" {

bool ct_gloo_available(void) {
#if CT_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

ct_process_group ct_process_group_gloo(const char *host, int port, int rank, int world_size, int timeout_ms) {
  CT_TRY(nullptr, {
#if CT_HAVE_GLOO
    auto store = make_store(host, port, rank, world_size, timeout_ms);
    auto gloo = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
    // Joined before the handle is made: a join that throws (a timeout) leaves nothing behind.
    auto joined = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, gloo);
    auto group = new ct_process_group_s{};
    group->store = store;
    group->gloo = joined;
    return group;
#else
    (void)host; (void)port; (void)rank; (void)world_size; (void)timeout_ms;
    throw std::runtime_error("this libtorch build has no Gloo process group (Debian's libtorch with libgloo-dev has one)");
    return (ct_process_group) nullptr;
#endif
  })
}

bool ct_nccl_available(void) {
#if CT_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

ct_process_group ct_process_group_nccl(const char *host, int port, int rank, int world_size, int timeout_ms) {
  CT_TRY(nullptr, {
#if CT_HAVE_NCCL
    auto store = make_store(host, port, rank, world_size, timeout_ms);
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = std::chrono::milliseconds(timeout_ms);
    auto joined = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size, options);
    auto group = new ct_process_group_s{};
    group->store = store;
    group->nccl = joined;
    return group;
#else
    (void)host; (void)port; (void)rank; (void)world_size; (void)timeout_ms;
    throw std::runtime_error("this libtorch build has no NCCL process group (build with ENTRANNAS_TORCH=wheel-cuda)");
    return (ct_process_group) nullptr;
#endif
  })
}

void ct_process_group_free(ct_process_group g) { delete g; }

int ct_all_reduce_sum(ct_process_group g, ct_tensor *tensors, int64_t n) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO || CT_HAVE_NCCL
    return with_backend(g, [&](auto &backend) {
      for (int64_t i = 0; i < n; ++i) {
        std::vector<at::Tensor> one{T(tensors[i])};
        backend.allreduce(one)->wait();
      }
    });
#else
    (void)g; (void)tensors; (void)n;
    throw std::runtime_error("this libtorch build has no process group");
#endif
  })
}

int ct_broadcast(ct_process_group g, ct_tensor *tensors, int64_t n, int root) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO || CT_HAVE_NCCL
    c10d::BroadcastOptions options;
    options.rootRank = root;
    return with_backend(g, [&](auto &backend) {
      for (int64_t i = 0; i < n; ++i) {
        std::vector<at::Tensor> one{T(tensors[i])};
        backend.broadcast(one, options)->wait();
      }
    });
#else
    (void)g; (void)tensors; (void)n; (void)root;
    throw std::runtime_error("this libtorch build has no process group");
#endif
  })
}

int ct_barrier(ct_process_group g) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO || CT_HAVE_NCCL
    return with_backend(g, [&](auto &backend) { backend.barrier()->wait(); });
#else
    (void)g;
    throw std::runtime_error("this libtorch build has no process group");
#endif
  })
}

}  // extern "C"
