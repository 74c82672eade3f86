// View, reshape, join, slice and indexing operators.
#include "common.h"

NSMT_API Tensor* nsmt_reshape(Tensor* t, const int64_t* shape, int32_t n) { NSMT_TENSOR(t->reshape(nsmt::ints(shape, n))) }
NSMT_API Tensor* nsmt_view(Tensor* t, const int64_t* shape, int32_t n) { NSMT_TENSOR(t->view(nsmt::ints(shape, n))) }
NSMT_API Tensor* nsmt_permute(Tensor* t, const int64_t* dims, int32_t n) { NSMT_TENSOR(t->permute(nsmt::ints(dims, n))) }
NSMT_API Tensor* nsmt_transpose(Tensor* t, int64_t a, int64_t b) { NSMT_TENSOR(t->transpose(a, b)) }
NSMT_API Tensor* nsmt_flatten(Tensor* t, int64_t start, int64_t end) { NSMT_TENSOR(t->flatten(start, end)) }
NSMT_API Tensor* nsmt_unflatten(Tensor* t, int64_t dim, const int64_t* sizes, int32_t n) {
  NSMT_TENSOR(t->unflatten(dim, nsmt::ints(sizes, n)))
}
NSMT_API Tensor* nsmt_squeeze(Tensor* t, int64_t dim, int32_t all) { NSMT_TENSOR(all ? t->squeeze() : t->squeeze(dim)) }
NSMT_API Tensor* nsmt_unsqueeze(Tensor* t, int64_t dim) { NSMT_TENSOR(t->unsqueeze(dim)) }
NSMT_API Tensor* nsmt_cat(Tensor** items, int32_t count, int64_t dim) { NSMT_TENSOR(at::cat(nsmt::tensor_list(items, count), dim)) }
NSMT_API Tensor* nsmt_stack(Tensor** items, int32_t count, int64_t dim) { NSMT_TENSOR(at::stack(nsmt::tensor_list(items, count), dim)) }
NSMT_API Tensor* nsmt_narrow(Tensor* t, int64_t dim, int64_t start, int64_t length) { NSMT_TENSOR(t->narrow(dim, start, length)) }
NSMT_API Tensor* nsmt_slice(Tensor* t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  NSMT_TENSOR(t->slice(dim, start, end, step))
}
NSMT_API Tensor* nsmt_select(Tensor* t, int64_t dim, int64_t index) { NSMT_TENSOR(t->select(dim, index)) }
NSMT_API Tensor* nsmt_index_select(Tensor* t, int64_t dim, Tensor* index) { NSMT_TENSOR(t->index_select(dim, *index)) }
NSMT_API Tensor* nsmt_gather(Tensor* t, int64_t dim, Tensor* index) { NSMT_TENSOR(t->gather(dim, *index)) }
NSMT_API Tensor* nsmt_scatter(Tensor* t, int64_t dim, Tensor* index, Tensor* src) { NSMT_TENSOR(t->scatter(dim, *index, *src)) }
NSMT_API Tensor* nsmt_masked_select(Tensor* t, Tensor* mask) { NSMT_TENSOR(t->masked_select(*mask)) }
NSMT_API Tensor* nsmt_expand(Tensor* t, const int64_t* shape, int32_t n) { NSMT_TENSOR(t->expand(nsmt::ints(shape, n))) }
NSMT_API Tensor* nsmt_repeat(Tensor* t, const int64_t* repeats, int32_t n) { NSMT_TENSOR(t->repeat(nsmt::ints(repeats, n))) }
NSMT_API Tensor* nsmt_flip(Tensor* t, const int64_t* dims, int32_t n) { NSMT_TENSOR(t->flip(nsmt::ints(dims, n))) }
NSMT_API Tensor* nsmt_roll(Tensor* t, const int64_t* shifts, int32_t ns, const int64_t* dims, int32_t nd) {
  NSMT_TENSOR(t->roll(nsmt::ints(shifts, ns), nsmt::ints(dims, nd)))
}
NSMT_API Tensor* nsmt_tril(Tensor* t, int64_t diagonal, int32_t upper) { NSMT_TENSOR(upper ? t->triu(diagonal) : t->tril(diagonal)) }
NSMT_API Tensor* nsmt_one_hot(Tensor* t, int64_t num_classes) { NSMT_TENSOR(at::one_hot(*t, num_classes)) }
NSMT_API Tensor* nsmt_chunk_one(Tensor* t, int64_t chunks, int64_t dim, int64_t which) {
  NSMT_TENSOR(t->chunk(chunks, dim).at(static_cast<size_t>(which)))
}

// Padding modes: 0 constant, 1 reflect, 2 replicate, 3 circular. pads as in F.pad (last dim first).
NSMT_API Tensor* nsmt_pad(Tensor* t, const int64_t* pads, int32_t n, int32_t mode, double value) {
  try {
    static const char* modes[] = {"constant", "reflect", "replicate", "circular"};
    if (mode < 0 || mode > 3) throw std::invalid_argument("unknown pad mode " + std::to_string(mode));
    c10::optional<double> v = mode == 0 ? c10::optional<double>(value) : c10::nullopt;
    return nsmt::wrap(at::pad(*t, nsmt::ints(pads, n), modes[mode], v));
  }
  NSMT_CATCH(nullptr)
}

// Complex helpers (stft returns complex tensors).
NSMT_API Tensor* nsmt_view_as_real(Tensor* t) { NSMT_TENSOR(at::view_as_real(*t)) }
NSMT_API Tensor* nsmt_view_as_complex(Tensor* t) { NSMT_TENSOR(at::view_as_complex(*t)) }
NSMT_API Tensor* nsmt_real(Tensor* t) { NSMT_TENSOR(at::real(*t)) }
NSMT_API Tensor* nsmt_imag(Tensor* t) { NSMT_TENSOR(at::imag(*t)) }
