// Neural-network functional operators: convolution, pooling, normalisation, activations,
// dropout, embedding, spectral transforms and recurrent layers.
#include "common.h"

namespace {
// padding_mode: 0 explicit numbers, 1 "valid", 2 "same".
Tensor conv(int dims, const Tensor& input, const Tensor& weight, const Tensor* bias, at::IntArrayRef stride,
            at::IntArrayRef padding, int32_t padding_mode, at::IntArrayRef dilation, int64_t groups) {
  auto b = nsmt::opt(bias);
  if (padding_mode != 0) {
    c10::string_view mode = padding_mode == 2 ? "same" : "valid";
    return dims == 1 ? at::conv1d(input, weight, b, stride, mode, dilation, groups)
                     : at::conv2d(input, weight, b, stride, mode, dilation, groups);
  }
  return dims == 1 ? at::conv1d(input, weight, b, stride, padding, dilation, groups)
                   : at::conv2d(input, weight, b, stride, padding, dilation, groups);
}
}  // namespace

NSMT_API Tensor* nsmt_conv(int32_t dims, Tensor* input, Tensor* weight, Tensor* bias, const int64_t* stride,
                           const int64_t* padding, int32_t padding_mode, const int64_t* dilation, int64_t groups) {
  NSMT_TENSOR(conv(dims, *input, *weight, bias, nsmt::ints(stride, dims), nsmt::ints(padding, dims), padding_mode,
                   nsmt::ints(dilation, dims), groups))
}

NSMT_API Tensor* nsmt_conv_transpose(int32_t dims, Tensor* input, Tensor* weight, Tensor* bias, const int64_t* stride,
                                     const int64_t* padding, const int64_t* output_padding, int64_t groups,
                                     const int64_t* dilation) {
  try {
    auto s = nsmt::ints(stride, dims), p = nsmt::ints(padding, dims), op = nsmt::ints(output_padding, dims),
         d = nsmt::ints(dilation, dims);
    auto b = nsmt::opt(bias);
    return nsmt::wrap(dims == 1 ? at::conv_transpose1d(*input, *weight, b, s, p, op, groups, d)
                                : at::conv_transpose2d(*input, *weight, b, s, p, op, groups, d));
  }
  NSMT_CATCH(nullptr)
}

NSMT_API Tensor* nsmt_max_pool(int32_t dims, Tensor* input, const int64_t* kernel, const int64_t* stride,
                               const int64_t* padding, const int64_t* dilation, int32_t ceil_mode) {
  try {
    auto k = nsmt::ints(kernel, dims), s = nsmt::ints(stride, dims), p = nsmt::ints(padding, dims),
         d = nsmt::ints(dilation, dims);
    return nsmt::wrap(dims == 1 ? at::max_pool1d(*input, k, s, p, d, ceil_mode != 0)
                                : at::max_pool2d(*input, k, s, p, d, ceil_mode != 0));
  }
  NSMT_CATCH(nullptr)
}

NSMT_API Tensor* nsmt_avg_pool(int32_t dims, Tensor* input, const int64_t* kernel, const int64_t* stride,
                               const int64_t* padding, int32_t ceil_mode, int32_t count_include_pad) {
  try {
    auto k = nsmt::ints(kernel, dims), s = nsmt::ints(stride, dims), p = nsmt::ints(padding, dims);
    return nsmt::wrap(dims == 1 ? at::avg_pool1d(*input, k, s, p, ceil_mode != 0, count_include_pad != 0)
                                : at::avg_pool2d(*input, k, s, p, ceil_mode != 0, count_include_pad != 0));
  }
  NSMT_CATCH(nullptr)
}

NSMT_API Tensor* nsmt_adaptive_avg_pool(int32_t dims, Tensor* input, const int64_t* output_size) {
  try {
    auto o = nsmt::ints(output_size, dims);
    return nsmt::wrap(dims == 1 ? at::adaptive_avg_pool1d(*input, o) : at::adaptive_avg_pool2d(*input, o));
  }
  NSMT_CATCH(nullptr)
}

NSMT_API Tensor* nsmt_adaptive_max_pool(int32_t dims, Tensor* input, const int64_t* output_size) {
  try {
    auto o = nsmt::ints(output_size, dims);
    return nsmt::wrap(std::get<0>(dims == 1 ? at::adaptive_max_pool1d(*input, o) : at::adaptive_max_pool2d(*input, o)));
  }
  NSMT_CATCH(nullptr)
}

NSMT_API Tensor* nsmt_batch_norm(Tensor* input, Tensor* weight, Tensor* bias, Tensor* running_mean, Tensor* running_var,
                                 int32_t training, double momentum, double eps) {
  NSMT_TENSOR(at::batch_norm(*input, nsmt::opt(weight), nsmt::opt(bias), nsmt::opt(running_mean), nsmt::opt(running_var),
                             training != 0, momentum, eps, /*cudnn_enabled=*/true))
}
NSMT_API Tensor* nsmt_layer_norm(Tensor* input, const int64_t* shape, int32_t n, Tensor* weight, Tensor* bias, double eps) {
  NSMT_TENSOR(at::layer_norm(*input, nsmt::ints(shape, n), nsmt::opt(weight), nsmt::opt(bias), eps))
}
NSMT_API Tensor* nsmt_group_norm(Tensor* input, int64_t groups, Tensor* weight, Tensor* bias, double eps) {
  NSMT_TENSOR(at::group_norm(*input, groups, nsmt::opt(weight), nsmt::opt(bias), eps))
}

NSMT_API Tensor* nsmt_gelu(Tensor* t, int32_t tanh_approximation) {
  NSMT_TENSOR(at::gelu(*t, tanh_approximation ? "tanh" : "none"))
}
NSMT_API Tensor* nsmt_leaky_relu(Tensor* t, double slope) { NSMT_TENSOR(at::leaky_relu(*t, slope)) }
NSMT_API Tensor* nsmt_elu(Tensor* t, double alpha) { NSMT_TENSOR(at::elu(*t, alpha)) }
NSMT_API Tensor* nsmt_softplus(Tensor* t, double beta, double threshold) { NSMT_TENSOR(at::softplus(*t, beta, threshold)) }
NSMT_API Tensor* nsmt_hardtanh(Tensor* t, double lo, double hi) { NSMT_TENSOR(at::hardtanh(*t, lo, hi)) }
NSMT_API Tensor* nsmt_softmax(Tensor* t, int64_t dim) { NSMT_TENSOR(at::softmax(*t, dim)) }
NSMT_API Tensor* nsmt_log_softmax(Tensor* t, int64_t dim) { NSMT_TENSOR(at::log_softmax(*t, dim)) }
NSMT_API Tensor* nsmt_dropout(Tensor* t, double p, int32_t train) { NSMT_TENSOR(at::dropout(*t, p, train != 0)) }
NSMT_API Tensor* nsmt_embedding(Tensor* weight, Tensor* indices, int64_t padding_idx) {
  NSMT_TENSOR(at::embedding(*weight, *indices, padding_idx))
}

// stft returns a complex tensor (return_complex=True); pad_mode as torch.stft ("reflect", "constant", ...).
NSMT_API Tensor* nsmt_stft(Tensor* input, int64_t n_fft, int64_t hop, int64_t win_length, Tensor* window, int32_t center,
                           const char* pad_mode, int32_t normalized, int32_t onesided) {
  NSMT_TENSOR(at::stft(*input, n_fft, hop, win_length, nsmt::opt(window), center != 0, pad_mode, normalized != 0,
                       onesided != 0, true))
}
NSMT_API Tensor* nsmt_istft(Tensor* input, int64_t n_fft, int64_t hop, int64_t win_length, Tensor* window, int32_t center,
                            int32_t normalized, int32_t onesided, int64_t length) {
  try {
    c10::optional<int64_t> len = length > 0 ? c10::optional<int64_t>(length) : c10::nullopt;
    return nsmt::wrap(at::istft(*input, n_fft, hop, win_length, nsmt::opt(window), center != 0, normalized != 0,
                                onesided != 0, len, false));
  }
  NSMT_CATCH(nullptr)
}

// Recurrent layers over a whole sequence; params in PyTorch's flat order
// (w_ih, w_hh, b_ih, b_hh per layer and direction). Outputs: output, h_n[, c_n].
NSMT_API int32_t nsmt_lstm(Tensor* input, Tensor* h0, Tensor* c0, Tensor** params, int32_t nparams, int32_t has_biases,
                           int64_t num_layers, double dropout, int32_t train, int32_t bidirectional, int32_t batch_first,
                           Tensor** output, Tensor** hn, Tensor** cn) {
  try {
    std::vector<Tensor> hx = {*h0, *c0};
    auto r = at::lstm(*input, hx, nsmt::tensor_list(params, nparams), has_biases != 0, num_layers, dropout, train != 0,
                      bidirectional != 0, batch_first != 0);
    *output = nsmt::wrap(std::get<0>(r));
    *hn = nsmt::wrap(std::get<1>(r));
    *cn = nsmt::wrap(std::get<2>(r));
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API int32_t nsmt_gru(Tensor* input, Tensor* h0, Tensor** params, int32_t nparams, int32_t has_biases,
                          int64_t num_layers, double dropout, int32_t train, int32_t bidirectional, int32_t batch_first,
                          Tensor** output, Tensor** hn) {
  try {
    auto r = at::gru(*input, *h0, nsmt::tensor_list(params, nparams), has_biases != 0, num_layers, dropout, train != 0,
                     bidirectional != 0, batch_first != 0);
    *output = nsmt::wrap(std::get<0>(r));
    *hn = nsmt::wrap(std::get<1>(r));
    return 0;
  }
  NSMT_CATCH(-1)
}
