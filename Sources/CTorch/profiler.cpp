// libtorch's autograd profiler (the legacy, thread-local one: it needs no Kineto, which Debian's
// libtorch lacks) and user-named ranges, written out as a Chrome trace.
#include "shim.h"
#include <memory>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace {
namespace legacy = torch::autograd::profiler;
namespace impl = torch::profiler::impl;

// The profiler keeps a range's name as a pointer, not a copy: names live as long as the process.
const char *interned(const char *name) {
  static std::mutex mutex;
  static std::set<std::string> names;
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}

void write_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

// One complete ("X") event per matched push/pop pair, times in microseconds from the profile's
// start; the file is written beside `path` and renamed, so a reader never sees half a trace.
void write_trace(const legacy::thread_event_lists &lists, const std::string &path) {
  const legacy::LegacyEvent *start = nullptr;
  for (auto &list : lists)
    for (auto &e : list)
      if (!start && e.kind() == legacy::EventKind::Mark && std::string(e.name()) == "__start_profile") start = &e;
  if (!start) throw std::runtime_error("the profile has no start mark");
  std::string temporary = path + ".tmp";
  FILE *f = fopen(temporary.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + temporary);
  fputs("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [", f);
  bool first = true;
  for (auto &list : lists) {
    std::map<std::pair<uint64_t, int64_t>, const legacy::LegacyEvent *> open;
    for (auto &e : list) {
      auto key = std::make_pair((uint64_t)e.handle(), (int64_t)e.nodeId());
      if (e.kind() == legacy::EventKind::PushRange) {
        open[key] = &e;
      } else if (e.kind() == legacy::EventKind::PopRange) {
        auto it = open.find(key);
        if (it == open.end()) continue;
        const legacy::LegacyEvent *begin = it->second;
        open.erase(it);
        fputs(first ? "\n" : ",\n", f);
        first = false;
        fputs("{\"name\": ", f);
        write_json_string(f, begin->name());
        fprintf(f, ", \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 0, \"tid\": %llu",
                start->cpuElapsedUs(*begin), begin->cpuElapsedUs(e), (unsigned long long)begin->threadId());
        // With record_shapes: the inputs' sizes, as PyTorch's traces write them ([] for a non-tensor).
        if (!begin->shapes().empty()) {
          fputs(", \"args\": {\"Input Dims\": [", f);
          bool firstShape = true;
          for (auto &shape : begin->shapes()) {
            fputs(firstShape ? "[" : ", [", f);
            firstShape = false;
            for (size_t i = 0; i < shape.size(); i++) fprintf(f, i ? ", %lld" : "%lld", (long long)shape[i]);
            fputs("]", f);
          }
          fputs("]}", f);
        }
        fputs("}", f);
      }
    }
  }
  fputs("\n]}\n", f);
  bool ok = fflush(f) == 0 && !ferror(f);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot write " + path + " (disk full?)");
  }
}
}  // namespace

extern "C" {
int ct_profiler_start(bool record_shapes) {
  CT_TRY(-1, {
    if (legacy::profilerEnabled()) throw std::runtime_error("the profiler is already running");
    legacy::enableProfilerLegacy(impl::ProfilerConfig(impl::ProfilerState::CPU, record_shapes));
    return 0;
  })
}

int ct_profiler_stop(const char *path) {
  CT_TRY(-1, {
    if (!legacy::profilerEnabled()) throw std::runtime_error("the profiler is not running");
    auto lists = legacy::disableProfilerLegacy();
    if (path) write_trace(lists, path);
    return 0;
  })
}

void *ct_range_begin(const char *name) {
  CT_TRY(nullptr, {
    auto range = std::make_unique<at::RecordFunction>(at::RecordScope::USER_SCOPE);
    if (range->isActive()) range->before(interned(name));
    return range.release();  // owned by the caller from here: ct_range_end deletes it
  })
}

void ct_range_end(void *range) { delete static_cast<at::RecordFunction *>(range); }
}
