// Tensor factories. All take (dtype, device type, device index, requires_grad).
#include "common.h"

#define NSMT_OPTS int32_t dtype, int32_t dev_type, int32_t dev_index, int32_t requires_grad
#define NSMT_MAKE_OPTS nsmt::options(dtype, dev_type, dev_index, requires_grad != 0)

NSMT_API Tensor* nsmt_empty(const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::empty(nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_zeros(const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::zeros(nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_ones(const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::ones(nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_full(const int64_t* shape, int32_t ndim, nsmt::Scalar value, NSMT_OPTS) {
  NSMT_TENSOR(at::full(nsmt::ints(shape, ndim), nsmt::to_scalar(value), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_rand(const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::rand(nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_randn(const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::randn(nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, NSMT_OPTS) {
  NSMT_TENSOR(at::randint(low, high, nsmt::ints(shape, ndim), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_arange(nsmt::Scalar start, nsmt::Scalar end, nsmt::Scalar step, NSMT_OPTS) {
  NSMT_TENSOR(at::arange(nsmt::to_scalar(start), nsmt::to_scalar(end), nsmt::to_scalar(step), NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_linspace(double start, double end, int64_t steps, NSMT_OPTS) {
  NSMT_TENSOR(at::linspace(start, end, steps, NSMT_MAKE_OPTS))
}
NSMT_API Tensor* nsmt_randperm(int64_t n, NSMT_OPTS) { NSMT_TENSOR(at::randperm(n, NSMT_MAKE_OPTS)) }
NSMT_API Tensor* nsmt_eye(int64_t n, int64_t m, NSMT_OPTS) { NSMT_TENSOR(at::eye(n, m, NSMT_MAKE_OPTS)) }

// Window functions (periodic = true gives the DFT-even windows torch uses by default).
NSMT_API Tensor* nsmt_window(int32_t kind, int64_t length, int32_t periodic, double beta, NSMT_OPTS) {
  try {
    auto o = NSMT_MAKE_OPTS;
    bool p = periodic != 0;
    switch (kind) {
      case 0: return nsmt::wrap(at::hann_window(length, p, o));
      case 1: return nsmt::wrap(at::hamming_window(length, p, o));
      case 2: return nsmt::wrap(at::blackman_window(length, p, o));
      case 3: return nsmt::wrap(at::bartlett_window(length, p, o));
      case 4: return nsmt::wrap(at::kaiser_window(length, p, beta, o));
      default: throw std::invalid_argument("unknown window kind " + std::to_string(kind));
    }
  }
  NSMT_CATCH(nullptr)
}

// In-place random fills used by nn.init (same generator and algorithms as PyTorch's).
NSMT_API int32_t nsmt_uniform_(Tensor* t, double from, double to) { NSMT_STATUS(t->uniform_(from, to)) }
NSMT_API int32_t nsmt_normal_(Tensor* t, double mean, double std) { NSMT_STATUS(t->normal_(mean, std)) }
NSMT_API int32_t nsmt_bernoulli_(Tensor* t, double p) { NSMT_STATUS(t->bernoulli_(p)) }
