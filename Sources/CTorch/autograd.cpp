// Backward passes and torch::autograd::grad (second-order DARTS needs create_graph).
#include "shim.h"
#include <torch/csrc/autograd/autograd.h>

using namespace ctorch;

extern "C" {
int ct_backward(ct_tensor t, ct_tensor grad, bool retain_graph, bool create_graph) {
  CT_TRY(-1, {
    at::Tensor g = grad ? T(grad) : at::Tensor();
    T(t).backward(g, retain_graph, create_graph);
    return 0;
  })
}
ct_tensor ct_grad(ct_tensor t) {
  CT_TRY(nullptr, {
    const at::Tensor &g = T(t).grad();
    if (!g.defined()) { set_error(""); return nullptr; }
    return wrap(g);
  })
}
int ct_zero_grad(ct_tensor t) { CT_TRY(-1, { T(t).mutable_grad().reset(); return 0; }) }
int ct_set_grad(ct_tensor t, ct_tensor g) { CT_TRY(-1, { T(t).mutable_grad() = g ? T(g) : at::Tensor(); return 0; }) }
int ct_autograd_grad(const ct_tensor *outputs, int64_t n_out, const ct_tensor *inputs, int64_t n_in,
                     const ct_tensor *grad_outputs, bool retain_graph, bool create_graph, bool allow_unused,
                     ct_tensor *out) {
  CT_TRY(-1, {
    std::vector<at::Tensor> outs, ins, gos;
    for (int64_t i = 0; i < n_out; i++) outs.push_back(T(outputs[i]));
    for (int64_t i = 0; i < n_in; i++) ins.push_back(T(inputs[i]));
    if (grad_outputs)
      for (int64_t i = 0; i < n_out; i++) gos.push_back(grad_outputs[i] ? T(grad_outputs[i]) : at::Tensor());
    auto res = torch::autograd::grad(outs, ins, gos, retain_graph, create_graph, allow_unused);
    for (int64_t i = 0; i < n_in; i++) out[i] = res[i].defined() ? wrap(res[i]) : nullptr;
    return 0;
  })
}
}
