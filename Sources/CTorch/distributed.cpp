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
#include <chrono>

using namespace ctorch;

struct ct_process_group_s {
#if CT_HAVE_GLOO
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
#endif
};

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
    c10d::TCPStoreOptions options;
    options.port = (uint16_t)port;
    options.isServer = rank == 0;
    options.numWorkers = (size_t)world_size;
    options.waitWorkers = true;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    auto gloo = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, gloo);
    return new ct_process_group_s{store, group};
#else
    (void)host; (void)port; (void)rank; (void)world_size; (void)timeout_ms;
    throw std::runtime_error("this libtorch build has no Gloo process group (Debian's libtorch with libgloo-dev has one)");
    return (ct_process_group) nullptr;
#endif
  })
}

void ct_process_group_free(ct_process_group g) { delete g; }

int ct_all_reduce_sum(ct_process_group g, ct_tensor *tensors, int64_t n) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO
    std::vector<at::Tensor> list;
    for (int64_t i = 0; i < n; ++i) list.push_back(T(tensors[i]));
    for (auto &t : list) {
      std::vector<at::Tensor> one{t};
      g->group->allreduce(one)->wait();
    }
    return 0;
#else
    (void)g; (void)tensors; (void)n;
    throw std::runtime_error("no Gloo in this libtorch build");
#endif
  })
}

int ct_broadcast(ct_process_group g, ct_tensor *tensors, int64_t n, int root) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO
    c10d::BroadcastOptions options;
    options.rootRank = root;
    for (int64_t i = 0; i < n; ++i) {
      std::vector<at::Tensor> one{T(tensors[i])};
      g->group->broadcast(one, options)->wait();
    }
    return 0;
#else
    (void)g; (void)tensors; (void)n; (void)root;
    throw std::runtime_error("no Gloo in this libtorch build");
#endif
  })
}

int ct_barrier(ct_process_group g) {
  CT_TRY(-1, {
#if CT_HAVE_GLOO
    g->group->barrier()->wait();
    return 0;
#else
    (void)g;
    throw std::runtime_error("no Gloo in this libtorch build");
#endif
  })
}

}  // extern "C"
