// ctorch.h: the pure C face of our libtorch shim (the tch-rs pattern).
//
// Every tensor is an opaque handle owned by the caller and released with ct_free.
// No C++ exception crosses this boundary: on failure a function returns NULL (or -1 / 0 where
// noted) and ct_last_error() returns the message, kept per thread until the next failure.
#ifndef CTORCH_H
#define CTORCH_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;

/// Element types, our own numbering (mapped to at::ScalarType inside the shim).
typedef enum { CT_FLOAT32 = 0, CT_FLOAT64 = 1, CT_INT64 = 2, CT_UINT8 = 3, CT_BOOL = 4, CT_INT32 = 5 } ct_dtype;

typedef enum {
  CT_NEG, CT_EXP, CT_LOG, CT_SQRT, CT_ABS, CT_RELU, CT_SIGMOID, CT_TANH, CT_SIGN, CT_FLOOR,
  CT_ISNAN, CT_LOGICAL_NOT, CT_SQUARE, CT_RSQRT, CT_ISFINITE
} ct_unary_op;

typedef enum {
  CT_ADD, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM,
  CT_EQ, CT_NE, CT_LT, CT_LE, CT_GT, CT_GE, CT_RSUB, CT_RDIV
} ct_binary_op;

typedef enum { CT_SUM, CT_MEAN, CT_AMAX, CT_AMIN } ct_reduce_op;

// ---- errors, runtime -------------------------------------------------------------------
const char *ct_last_error(void);
void ct_clear_error(void);
const char *ct_version(void);
int ct_get_num_threads(void);
void ct_set_num_threads(int n);
/// Applies the allocator settings of docs/libtorch-binding.md#allocator (no-op if already applied).
/// Returns 1 when they are active.
int ct_allocator_tuned(void);
int ct_cuda_available(void);
int ct_cuda_device_count(void);
void ct_manual_seed(uint64_t seed);

// ---- devices ---------------------------------------------------------------------------
typedef enum { CT_CPU = 0, CT_CUDA = 1 } ct_device_type_code;
/// The tensor's device type (CT_CPU, CT_CUDA) and, through `index`, its index; -1 on error.
int ct_device_type(ct_tensor t, int *index);
/// A copy on another device (the tensor itself when it is already there).
ct_tensor ct_to_device(ct_tensor t, int type, int index, bool non_blocking);
/// Points `t` at `source`'s data, keeping `t`'s identity (a parameter stays the same leaf).
int ct_set_data(ct_tensor t, ct_tensor source);
ct_tensor ct_zeros_like(ct_tensor t);
/// Page-locked copy for fast, asynchronous host-to-GPU copies (the tensor itself without CUDA).
ct_tensor ct_pin_memory(ct_tensor t);
/// Seeds the default generator of every CUDA device (nothing without CUDA).
int ct_cuda_manual_seed_all(uint64_t seed);
/// Whether this build links libtorch_cuda (the wheel-cuda backend), so CUDA kernels are registered.
bool ct_cuda_linked(void);
/// Bytes of device `index` held by libtorch's caching allocator: which = 0 allocated now,
/// 1 peak allocated, 2 peak reserved; -1 on error (no CUDA build or no such device).
int64_t ct_cuda_memory(int index, int which);
/// Starts the peak statistics of device `index` afresh.
int ct_cuda_reset_peak_memory(int index);
/// Waits for the work queued on the current CUDA device (honest timings); 0 without CUDA.
int ct_cuda_synchronize(int index);

// ---- profiler ---------------------------------------------------------------------------
/// Starts libtorch's autograd profiler on the calling thread (its operators and ranges);
/// record_shapes keeps input shapes. Fails when it already runs.
int ct_profiler_start(bool record_shapes);
/// Stops it; with a path, writes the events there as a Chrome trace (temporary file, then rename).
int ct_profiler_stop(const char *path);
/// Opens a named range (a span in the trace around what runs until ct_range_end); costs next to
/// nothing while the profiler is off.
void *ct_range_begin(const char *name);
void ct_range_end(void *range);

// ---- memory layout of 4-D tensors ------------------------------------------------------
/// NCHW row-major (libtorch's default) or NHWC strides ("channels last"); shapes stay NCHW.
typedef enum { CT_CONTIGUOUS_FORMAT = 0, CT_CHANNELS_LAST = 1 } ct_memory_format;
/// 1 when `t` is dense in `format`, 0 when not, -1 on error.
int ct_is_contiguous(ct_tensor t, int format);
/// The layout libtorch reads from the strides (suggest_memory_format), which operations'
/// outputs follow; -1 on error.
int ct_memory_format_of(ct_tensor t);
/// A copy with `format`'s strides unless libtorch already reads that layout from `t`'s strides
/// (Tensor.to(memory_format=)): unlike ct_contiguous, it restrides tensors dense in both
/// layouts (one channel, 1x1 kernels), whose strides would otherwise keep choosing NCHW.
ct_tensor ct_to_memory_format(ct_tensor t, int format);

// ---- c10d: process groups (Gloo over TCP) ------------------------------------------------
typedef struct ct_process_group_s *ct_process_group;
bool ct_gloo_available(void);
/// Joins a group of `world_size` processes: rank 0 serves the TCP store at host:port, the
/// others connect; returns when all have joined or NULL after `timeout_ms`.
ct_process_group ct_process_group_gloo(const char *host, int port, int rank, int world_size, int timeout_ms);
/// Whether this build has c10d's NCCL process group (the wheel-cuda backend).
bool ct_nccl_available(void);
/// Joins a group whose collectives run on NCCL between CUDA devices (rendezvous as for Gloo).
ct_process_group ct_process_group_nccl(const char *host, int port, int rank, int world_size, int timeout_ms);
void ct_process_group_free(ct_process_group g);
/// Sums each tensor in place across the group.
int ct_all_reduce_sum(ct_process_group g, ct_tensor *tensors, int64_t n);
/// Copies each tensor from rank `root` to every rank, in place.
int ct_broadcast(ct_process_group g, ct_tensor *tensors, int64_t n, int root);
int ct_barrier(ct_process_group g);
ct_tensor ct_rng_get_state(void);
int ct_rng_set_state(ct_tensor state);
/// Returns the previous setting.
bool ct_set_grad_enabled(bool enabled);
bool ct_is_grad_enabled(void);

// ---- lifetime, metadata, data --------------------------------------------------------
void ct_free(ct_tensor t);
int64_t ct_dim(ct_tensor t);
/// Writes up to `cap` sizes; returns the rank or -1.
int64_t ct_sizes(ct_tensor t, int64_t *out, int64_t cap);
int64_t ct_numel(ct_tensor t);
int ct_dtype_of(ct_tensor t);
bool ct_requires_grad(ct_tensor t);
int ct_set_requires_grad(ct_tensor t, bool on);
bool ct_is_leaf(ct_tensor t);
/// Copies the elements (row-major, contiguous) into dst; nbytes must match exactly.
int ct_copy_out(ct_tensor t, void *dst, size_t nbytes);
ct_tensor ct_from_data(const void *data, const int64_t *shape, int64_t rank, int dtype);
double ct_item_double(ct_tensor t, int *ok);
int64_t ct_item_int64(ct_tensor t, int *ok);
/// Stable identity of the underlying storage+offset, for sharing tests.
const void *ct_data_ptr(ct_tensor t);

// ---- creation --------------------------------------------------------------------------
ct_tensor ct_full(const int64_t *shape, int64_t rank, double value, int dtype);
ct_tensor ct_randn(const int64_t *shape, int64_t rank);
ct_tensor ct_rand(const int64_t *shape, int64_t rank);
ct_tensor ct_bernoulli(const int64_t *shape, int64_t rank, double p);
ct_tensor ct_randperm(int64_t n);
ct_tensor ct_arange(double start, double end, double step, int dtype);
ct_tensor ct_uniform(const int64_t *shape, int64_t rank, double low, double high);
ct_tensor ct_normal(const int64_t *shape, int64_t rank, double mean, double std);

// ---- copies, views, shape -------------------------------------------------------------
ct_tensor ct_shallow(ct_tensor t);
ct_tensor ct_clone(ct_tensor t);
ct_tensor ct_detach(ct_tensor t);
/// Dense in `format` (a ct_memory_format); the tensor itself when already dense in it.
ct_tensor ct_contiguous(ct_tensor t, int format);
ct_tensor ct_to_dtype(ct_tensor t, int dtype);
ct_tensor ct_reshape(ct_tensor t, const int64_t *shape, int64_t rank);
ct_tensor ct_permute(ct_tensor t, const int64_t *dims, int64_t rank);
ct_tensor ct_transpose(ct_tensor t, int64_t d0, int64_t d1);
ct_tensor ct_slice(ct_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
ct_tensor ct_select(ct_tensor t, int64_t dim, int64_t index);
ct_tensor ct_index_select(ct_tensor t, int64_t dim, ct_tensor index);
ct_tensor ct_unsqueeze(ct_tensor t, int64_t dim);
ct_tensor ct_squeeze_dim(ct_tensor t, int64_t dim);
ct_tensor ct_expand(ct_tensor t, const int64_t *shape, int64_t rank);
ct_tensor ct_cat(const ct_tensor *ts, int64_t n, int64_t dim);
ct_tensor ct_stack(const ct_tensor *ts, int64_t n, int64_t dim);

// ---- multi-tensor updates (one call per list; optimizers) ----------------------------------
/// self[i] *= scalar for every i < n.
int ct_foreach_mul_scalar_(const ct_tensor *self, int64_t n, double scalar);
/// self[i] += alpha * other[i] for every i < n.
int ct_foreach_add_list_(const ct_tensor *self, const ct_tensor *other, int64_t n, double alpha);
/// out[i] = self[i] * scalar: n new handles written into out.
int ct_foreach_mul_scalar(const ct_tensor *self, int64_t n, double scalar, ct_tensor *out);
/// out[i] = self[i] + alpha * other[i]: n new handles written into out.
int ct_foreach_add_list(const ct_tensor *self, const ct_tensor *other, int64_t n, double alpha, ct_tensor *out);
/// Writes up to `cap` handles into out; returns the count or -1.
int64_t ct_chunk(ct_tensor t, int64_t chunks, int64_t dim, ct_tensor *out, int64_t cap);
/* Views of `n` consecutive pieces of the given sizes along dim (they must add up to its size); out holds n. */
int64_t ct_split_sizes(ct_tensor t, const int64_t *sizes, int64_t n, int64_t dim, ct_tensor *out);
ct_tensor ct_constant_pad(ct_tensor t, const int64_t *pad, int64_t npad, double value);

// ---- elementwise ------------------------------------------------------------------------
ct_tensor ct_unary(int op, ct_tensor t);
ct_tensor ct_binary(int op, ct_tensor a, ct_tensor b);
ct_tensor ct_binary_scalar(int op, ct_tensor a, double s);
ct_tensor ct_clamp(ct_tensor t, double lo, double hi, bool has_lo, bool has_hi);
ct_tensor ct_where(ct_tensor cond, ct_tensor a, ct_tensor b);

// ---- reductions --------------------------------------------------------------------------
/// dims == NULL / ndims == 0 reduces over everything.
ct_tensor ct_reduce(int op, ct_tensor t, const int64_t *dims, int64_t ndims, bool keepdim);
ct_tensor ct_argmax(ct_tensor t, int64_t dim, bool keepdim);
/// Returns the indices of the k largest along dim (values discarded).
ct_tensor ct_topk_indices(ct_tensor t, int64_t k, int64_t dim);

// ---- linear algebra, nn functional -----------------------------------------------------
ct_tensor ct_matmul(ct_tensor a, ct_tensor b);
ct_tensor ct_addmm(ct_tensor input, ct_tensor a, ct_tensor b);
ct_tensor ct_linear(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */);
ct_tensor ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */, const int64_t stride[2],
                    const int64_t padding[2], const int64_t dilation[2], int64_t groups);
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t kernel[2], const int64_t stride[2],
                        const int64_t padding[2], bool ceil_mode);
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t kernel[2], const int64_t stride[2],
                        const int64_t padding[2], bool ceil_mode, bool count_include_pad);
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, const int64_t out[2]);
/// weight, bias, running_mean, running_var are nullable. In training mode the running
/// statistics (when given) are updated in place with `momentum`.
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor running_mean,
                        ct_tensor running_var, bool training, double momentum, double eps);
ct_tensor ct_dropout(ct_tensor x, double p, bool training);
ct_tensor ct_softmax(ct_tensor t, int64_t dim);
ct_tensor ct_log_softmax(ct_tensor t, int64_t dim);
/// Mean cross-entropy of logits [N, C] against int64 targets [N].
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, double label_smoothing);

// ---- in place (used by optimizers and buffers, always under no-grad by the caller) -----------
int ct_copy_(ct_tensor dst, ct_tensor src);
int ct_zero_(ct_tensor t);
int ct_fill_(ct_tensor t, double v);
/// t += alpha * other
int ct_add_(ct_tensor t, ct_tensor other, double alpha);
int ct_mul_scalar_(ct_tensor t, double s);
int ct_mul_(ct_tensor t, ct_tensor other);
/// t += value * a * b
int ct_addcmul_(ct_tensor t, ct_tensor a, ct_tensor b, double value);
/// t += value * a / b
int ct_addcdiv_(ct_tensor t, ct_tensor a, ct_tensor b, double value);

// ---- autograd --------------------------------------------------------------------------
/// grad may be NULL for a scalar output.
int ct_backward(ct_tensor t, ct_tensor grad, bool retain_graph, bool create_graph);
/// NULL with no error (ct_last_error empty) when the gradient is undefined.
ct_tensor ct_grad(ct_tensor t);
int ct_zero_grad(ct_tensor t);
int ct_set_grad(ct_tensor t, ct_tensor g);
/// torch::autograd::grad. grad_outputs may be NULL. Undefined results (allow_unused) come
/// back as NULL entries in out. Returns 0 on success.
int ct_autograd_grad(const ct_tensor *outputs, int64_t n_out, const ct_tensor *inputs, int64_t n_in,
                     const ct_tensor *grad_outputs, bool retain_graph, bool create_graph,
                     bool allow_unused, ct_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
