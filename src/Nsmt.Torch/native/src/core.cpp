// Error slot, tensor lifetime, metadata, data transfer, autograd, RNG, threads and devices.
#include "common.h"
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <cstring>
#include <mutex>
#include <torch/version.h>

namespace nsmt {
thread_local std::string last_error;
void set_error(const char* message) { last_error = message ? message : ""; }
}  // namespace nsmt

NSMT_API const char* nsmt_last_error() { return nsmt::last_error.c_str(); }
NSMT_API void nsmt_clear_error() { nsmt::last_error.clear(); }

NSMT_API void nsmt_free(Tensor* t) { delete t; }

NSMT_API const char* nsmt_torch_version() {
  static const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                                     std::to_string(TORCH_VERSION_MINOR) + "." +
                                     std::to_string(TORCH_VERSION_PATCH);
  return version.c_str();
}

// ---- metadata ----
NSMT_API int32_t nsmt_dim(Tensor* t) { try { return static_cast<int32_t>(t->dim()); } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_sizes(Tensor* t, int64_t* out, int32_t capacity) {
  try {
    auto sizes = t->sizes();
    if (static_cast<int32_t>(sizes.size()) > capacity) throw std::runtime_error("shape buffer too small");
    for (size_t i = 0; i < sizes.size(); ++i) out[i] = sizes[i];
    return static_cast<int32_t>(sizes.size());
  }
  NSMT_CATCH(-1)
}
NSMT_API int32_t nsmt_strides(Tensor* t, int64_t* out, int32_t capacity) {
  try {
    auto strides = t->strides();
    if (static_cast<int32_t>(strides.size()) > capacity) throw std::runtime_error("stride buffer too small");
    for (size_t i = 0; i < strides.size(); ++i) out[i] = strides[i];
    return static_cast<int32_t>(strides.size());
  }
  NSMT_CATCH(-1)
}
NSMT_API int64_t nsmt_numel(Tensor* t) { try { return t->numel(); } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_dtype(Tensor* t) { try { return static_cast<int32_t>(t->scalar_type()); } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_device_type(Tensor* t) { try { return static_cast<int32_t>(t->device().type()); } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_device_index(Tensor* t) { try { return t->device().index(); } NSMT_CATCH(-2) }
NSMT_API int32_t nsmt_is_contiguous(Tensor* t) { try { return t->is_contiguous() ? 1 : 0; } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_defined(Tensor* t) { try { return t->defined() ? 1 : 0; } NSMT_CATCH(-1) }

// ---- data transfer ----
// Copies nbytes from host memory into a new tensor (the caller's memory is not retained).
NSMT_API Tensor* nsmt_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim,
                                int32_t dtype_code) {
  try {
    auto t = at::empty(nsmt::ints(shape, ndim), at::TensorOptions().dtype(nsmt::dtype(dtype_code)));
    int64_t expected = t.numel() * static_cast<int64_t>(t.element_size());
    if (expected != nbytes)
      throw std::runtime_error("data has " + std::to_string(nbytes) + " bytes but the shape needs " +
                               std::to_string(expected));
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    return nsmt::wrap(std::move(t));
  }
  NSMT_CATCH(nullptr)
}

// Copies a tensor's elements (any device, any layout) into host memory of exactly nbytes.
NSMT_API int32_t nsmt_copy_to_host(Tensor* t, void* dst, int64_t nbytes) {
  try {
    auto src = t->detach().to(at::kCPU).contiguous();
    int64_t have = src.numel() * static_cast<int64_t>(src.element_size());
    if (have != nbytes)
      throw std::runtime_error("tensor has " + std::to_string(have) + " bytes but the buffer has " +
                               std::to_string(nbytes));
    if (nbytes > 0) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(nbytes));
    return 0;
  }
  NSMT_CATCH(-1)
}

// Direct pointer to a contiguous CPU tensor's storage (for zero-copy reads); null otherwise.
NSMT_API void* nsmt_data_ptr(Tensor* t) {
  try {
    if (!t->device().is_cpu() || !t->is_contiguous()) throw std::runtime_error("data_ptr needs a contiguous CPU tensor");
    return t->data_ptr();
  }
  NSMT_CATCH(nullptr)
}

NSMT_API double nsmt_item_double(Tensor* t) {
  try { return t->item<double>(); }
  NSMT_CATCH(std::numeric_limits<double>::quiet_NaN())
}
NSMT_API int64_t nsmt_item_long(Tensor* t) { try { return t->item<int64_t>(); } NSMT_CATCH(0) }

// ---- conversion ----
NSMT_API Tensor* nsmt_to_dtype(Tensor* t, int32_t dtype_code) { NSMT_TENSOR(t->to(nsmt::dtype(dtype_code))) }
NSMT_API Tensor* nsmt_to_device(Tensor* t, int32_t type, int32_t index) { NSMT_TENSOR(t->to(nsmt::device(type, index))) }
NSMT_API Tensor* nsmt_clone(Tensor* t) { NSMT_TENSOR(t->clone()) }
NSMT_API Tensor* nsmt_contiguous(Tensor* t) { NSMT_TENSOR(t->contiguous()) }
NSMT_API Tensor* nsmt_alias(Tensor* t) { NSMT_TENSOR(Tensor(*t)) }
NSMT_API int32_t nsmt_copy_(Tensor* dst, Tensor* src) { NSMT_STATUS(dst->copy_(*src)) }
NSMT_API int32_t nsmt_fill_(Tensor* t, nsmt::Scalar value) { NSMT_STATUS(t->fill_(nsmt::to_scalar(value))) }
NSMT_API int32_t nsmt_zero_(Tensor* t) { NSMT_STATUS(t->zero_()) }

// ---- autograd ----
NSMT_API int32_t nsmt_requires_grad(Tensor* t) { try { return t->requires_grad() ? 1 : 0; } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_set_requires_grad(Tensor* t, int32_t value) { NSMT_STATUS(t->set_requires_grad(value != 0)) }
NSMT_API int32_t nsmt_is_leaf(Tensor* t) { try { return t->is_leaf() ? 1 : 0; } NSMT_CATCH(-1) }
NSMT_API int32_t nsmt_backward(Tensor* t, Tensor* gradient, int32_t retain_graph, int32_t create_graph) {
  NSMT_STATUS(t->backward(gradient ? *gradient : Tensor(), retain_graph != 0, create_graph != 0))
}
// Returns 0 and sets *out (null when the gradient is undefined), or -1 on failure.
NSMT_API int32_t nsmt_grad(Tensor* t, Tensor** out) {
  try {
    const Tensor& g = t->grad();
    *out = g.defined() ? nsmt::wrap(g) : nullptr;
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API int32_t nsmt_set_grad(Tensor* t, Tensor* grad) { NSMT_STATUS(t->mutable_grad() = grad ? *grad : Tensor()) }
NSMT_API Tensor* nsmt_detach(Tensor* t) { NSMT_TENSOR(t->detach()) }
NSMT_API int32_t nsmt_detach_(Tensor* t) { NSMT_STATUS(t->detach_()) }
NSMT_API int32_t nsmt_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
NSMT_API void nsmt_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }

// ---- RNG ----
NSMT_API int32_t nsmt_manual_seed(uint64_t seed) {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API Tensor* nsmt_rng_get_state() {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return nsmt::wrap(gen.get_state());
  }
  NSMT_CATCH(nullptr)
}
NSMT_API int32_t nsmt_rng_set_state(Tensor* state) {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    return 0;
  }
  NSMT_CATCH(-1)
}

// ---- threads, determinism, devices ----
NSMT_API int32_t nsmt_set_num_threads(int32_t n) { NSMT_STATUS(at::set_num_threads(n)) }
NSMT_API int32_t nsmt_get_num_threads() { return at::get_num_threads(); }
NSMT_API int32_t nsmt_set_deterministic(int32_t on) {
  NSMT_STATUS(at::globalContext().setDeterministicAlgorithms(on != 0, false))
}
NSMT_API int32_t nsmt_cuda_is_available() { try { return at::hasCUDA() ? 1 : 0; } NSMT_CATCH(0) }
NSMT_API int32_t nsmt_cuda_device_count() {
  try { return at::hasCUDA() ? static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0; }
  NSMT_CATCH(0)
}
NSMT_API int32_t nsmt_cuda_manual_seed_all(uint64_t seed) {
  try {
    if (!at::hasCUDA()) return 0;
    auto n = at::detail::getCUDAHooks().getNumGPUs();
    for (int i = 0; i < n; ++i) {
      at::Generator gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(i);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API int32_t nsmt_cuda_synchronize() {
  try {
    if (at::hasCUDA()) at::detail::getCUDAHooks().deviceSynchronize(at::detail::getCUDAHooks().current_device());
    return 0;
  }
  NSMT_CATCH(-1)
}
