// Element-wise, comparison, reduction and linear-algebra operators.
#include "common.h"
#include <ATen/ScalarOps.h>

namespace {

// Must match Nsmt.Torch's UnaryOp enum.
enum UnaryOp : int32_t {
  Neg, Abs, Sqrt, Rsqrt, Exp, Log, Log1p, Log10, Log2, Sin, Cos, Tanh, Sigmoid, Relu, Silu, Sign,
  Floor, Ceil, Round, Reciprocal, Square, LogicalNot, Erf, Erfinv, IsNan, IsInf, IsFinite, Expm1,
  Trunc, Frac, Atan, Asin, Acos, Sinh, Cosh
};

Tensor unary(const Tensor& t, int32_t op) {
  switch (op) {
    case Neg: return t.neg();
    case Abs: return t.abs();
    case Sqrt: return t.sqrt();
    case Rsqrt: return t.rsqrt();
    case Exp: return t.exp();
    case Log: return t.log();
    case Log1p: return t.log1p();
    case Log10: return t.log10();
    case Log2: return t.log2();
    case Sin: return t.sin();
    case Cos: return t.cos();
    case Tanh: return t.tanh();
    case Sigmoid: return t.sigmoid();
    case Relu: return t.relu();
    case Silu: return at::silu(t);
    case Sign: return t.sign();
    case Floor: return t.floor();
    case Ceil: return t.ceil();
    case Round: return t.round();
    case Reciprocal: return t.reciprocal();
    case Square: return t.square();
    case LogicalNot: return t.logical_not();
    case Erf: return t.erf();
    case Erfinv: return t.erfinv();
    case IsNan: return t.isnan();
    case IsInf: return t.isinf();
    case IsFinite: return t.isfinite();
    case Expm1: return t.expm1();
    case Trunc: return t.trunc();
    case Frac: return t.frac();
    case Atan: return t.atan();
    case Asin: return t.asin();
    case Acos: return t.acos();
    case Sinh: return t.sinh();
    case Cosh: return t.cosh();
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

void unary_(Tensor& t, int32_t op) {
  switch (op) {
    case Neg: t.neg_(); return;
    case Abs: t.abs_(); return;
    case Sqrt: t.sqrt_(); return;
    case Rsqrt: t.rsqrt_(); return;
    case Exp: t.exp_(); return;
    case Log: t.log_(); return;
    case Log1p: t.log1p_(); return;
    case Log10: t.log10_(); return;
    case Log2: t.log2_(); return;
    case Sin: t.sin_(); return;
    case Cos: t.cos_(); return;
    case Tanh: t.tanh_(); return;
    case Sigmoid: t.sigmoid_(); return;
    case Relu: t.relu_(); return;
    case Silu: at::silu_(t); return;
    case Sign: t.sign_(); return;
    case Floor: t.floor_(); return;
    case Ceil: t.ceil_(); return;
    case Round: t.round_(); return;
    case Reciprocal: t.reciprocal_(); return;
    case Square: t.square_(); return;
    case LogicalNot: t.logical_not_(); return;
    case Erf: t.erf_(); return;
    case Erfinv: t.erfinv_(); return;
    case Expm1: t.expm1_(); return;
    case Trunc: t.trunc_(); return;
    case Frac: t.frac_(); return;
    case Atan: t.atan_(); return;
    case Asin: t.asin_(); return;
    case Acos: t.acos_(); return;
    case Sinh: t.sinh_(); return;
    case Cosh: t.cosh_(); return;
    default: throw std::invalid_argument("unary op " + std::to_string(op) + " has no in-place form");
  }
}

// Must match Nsmt.Torch's BinaryOp enum.
enum BinaryOp : int32_t {
  Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,
  Remainder, Atan2, FloorDivide, LogicalXor, BitwiseAnd, BitwiseOr
};

Tensor binary(const Tensor& a, const Tensor& b, int32_t op, const at::Scalar& alpha) {
  switch (op) {
    case Add: return at::add(a, b, alpha);
    case Sub: return at::sub(a, b, alpha);
    case Mul: return at::mul(a, b);
    case Div: return at::div(a, b);
    case Pow: return at::pow(a, b);
    case Maximum: return at::maximum(a, b);
    case Minimum: return at::minimum(a, b);
    case Eq: return at::eq(a, b);
    case Ne: return at::ne(a, b);
    case Lt: return at::lt(a, b);
    case Le: return at::le(a, b);
    case Gt: return at::gt(a, b);
    case Ge: return at::ge(a, b);
    case LogicalAnd: return at::logical_and(a, b);
    case LogicalOr: return at::logical_or(a, b);
    case Remainder: return at::remainder(a, b);
    case Atan2: return at::atan2(a, b);
    case FloorDivide: return at::div(a, b, "floor");
    case LogicalXor: return at::logical_xor(a, b);
    case BitwiseAnd: return at::bitwise_and(a, b);
    case BitwiseOr: return at::bitwise_or(a, b);
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

void binary_(Tensor& a, const Tensor& b, int32_t op, const at::Scalar& alpha) {
  switch (op) {
    case Add: a.add_(b, alpha); return;
    case Sub: a.sub_(b, alpha); return;
    case Mul: a.mul_(b); return;
    case Div: a.div_(b); return;
    case Pow: a.pow_(b); return;
    case Eq: a.eq_(b); return;
    case Ne: a.ne_(b); return;
    case Lt: a.lt_(b); return;
    case Le: a.le_(b); return;
    case Gt: a.gt_(b); return;
    case Ge: a.ge_(b); return;
    case LogicalAnd: a.logical_and_(b); return;
    case LogicalOr: a.logical_or_(b); return;
    case Remainder: a.remainder_(b); return;
    case Atan2: a.atan2_(b); return;
    case FloorDivide: a.div_(b, "floor"); return;
    case LogicalXor: a.logical_xor_(b); return;
    case BitwiseAnd: a.bitwise_and_(b); return;
    case BitwiseOr: a.bitwise_or_(b); return;
    default: throw std::invalid_argument("binary op " + std::to_string(op) + " has no in-place form");
  }
}

// Must match Nsmt.Torch's ReduceOp enum.
enum ReduceOp : int32_t { Sum, Mean, Prod, Amax, Amin, Std, Var, LogSumExp, All, Any, Norm };

}  // namespace

NSMT_API Tensor* nsmt_unary(Tensor* t, int32_t op) { NSMT_TENSOR(unary(*t, op)) }
NSMT_API int32_t nsmt_unary_(Tensor* t, int32_t op) { NSMT_STATUS(unary_(*t, op)) }

NSMT_API Tensor* nsmt_binary(Tensor* a, Tensor* b, int32_t op, nsmt::Scalar alpha) {
  NSMT_TENSOR(binary(*a, *b, op, nsmt::to_scalar(alpha)))
}
NSMT_API int32_t nsmt_binary_(Tensor* a, Tensor* b, int32_t op, nsmt::Scalar alpha) {
  NSMT_STATUS(binary_(*a, *b, op, nsmt::to_scalar(alpha)))
}
// Tensor (op) scalar, or scalar (op) tensor when reversed. A wrapped scalar keeps the tensor's dtype
// for integer scalars on float tensors, as Python's operators do.
NSMT_API Tensor* nsmt_binary_scalar(Tensor* a, nsmt::Scalar s, int32_t op, int32_t reversed, nsmt::Scalar alpha) {
  try {
    auto b = at::native::wrapped_scalar_tensor(nsmt::to_scalar(s), a->device());
    return nsmt::wrap(reversed ? binary(b, *a, op, nsmt::to_scalar(alpha)) : binary(*a, b, op, nsmt::to_scalar(alpha)));
  }
  NSMT_CATCH(nullptr)
}
NSMT_API int32_t nsmt_binary_scalar_(Tensor* a, nsmt::Scalar s, int32_t op, nsmt::Scalar alpha) {
  try {
    auto b = at::native::wrapped_scalar_tensor(nsmt::to_scalar(s), a->device());
    binary_(*a, b, op, nsmt::to_scalar(alpha));
    return 0;
  }
  NSMT_CATCH(-1)
}

NSMT_API Tensor* nsmt_clamp(Tensor* t, const nsmt::Scalar* min, const nsmt::Scalar* max) {
  try {
    c10::optional<at::Scalar> lo, hi;
    if (min) lo = nsmt::to_scalar(*min);
    if (max) hi = nsmt::to_scalar(*max);
    return nsmt::wrap(at::clamp(*t, lo, hi));
  }
  NSMT_CATCH(nullptr)
}
NSMT_API int32_t nsmt_clamp_(Tensor* t, const nsmt::Scalar* min, const nsmt::Scalar* max) {
  try {
    c10::optional<at::Scalar> lo, hi;
    if (min) lo = nsmt::to_scalar(*min);
    if (max) hi = nsmt::to_scalar(*max);
    at::clamp_(*t, lo, hi);
    return 0;
  }
  NSMT_CATCH(-1)
}

NSMT_API Tensor* nsmt_where(Tensor* cond, Tensor* a, Tensor* b) { NSMT_TENSOR(at::where(*cond, *a, *b)) }
NSMT_API Tensor* nsmt_masked_fill(Tensor* t, Tensor* mask, nsmt::Scalar value) {
  NSMT_TENSOR(t->masked_fill(*mask, nsmt::to_scalar(value)))
}
NSMT_API int32_t nsmt_masked_fill_(Tensor* t, Tensor* mask, nsmt::Scalar value) {
  NSMT_STATUS(t->masked_fill_(*mask, nsmt::to_scalar(value)))
}
NSMT_API Tensor* nsmt_addcmul(Tensor* t, Tensor* a, Tensor* b, nsmt::Scalar value) {
  NSMT_TENSOR(at::addcmul(*t, *a, *b, nsmt::to_scalar(value)))
}
NSMT_API Tensor* nsmt_addcdiv(Tensor* t, Tensor* a, Tensor* b, nsmt::Scalar value) {
  NSMT_TENSOR(at::addcdiv(*t, *a, *b, nsmt::to_scalar(value)))
}
NSMT_API Tensor* nsmt_lerp(Tensor* t, Tensor* end, nsmt::Scalar weight) { NSMT_TENSOR(at::lerp(*t, *end, nsmt::to_scalar(weight))) }

// Reductions over dims (all dims when ndims < 0). `correction` is the std/var divisor offset
// (1 = unbiased); `p` the norm order.
NSMT_API Tensor* nsmt_reduce(Tensor* t, int32_t op, const int64_t* dims, int32_t ndims, int32_t keepdim,
                             int64_t correction, double p) {
  try {
    bool all = ndims < 0;
    auto d = nsmt::ints(dims, all ? 0 : ndims);
    bool k = keepdim != 0;
    bool unbiased = correction != 0;
    switch (op) {
      case Sum: return nsmt::wrap(all ? t->sum() : t->sum(d, k));
      case Mean: return nsmt::wrap(all ? t->mean() : t->mean(d, k));
      case Prod:
        if (all) return nsmt::wrap(t->prod());
        if (d.size() != 1) throw std::invalid_argument("prod reduces one dim at a time");
        return nsmt::wrap(t->prod(d[0], k));
      case Amax: return nsmt::wrap(all ? t->max() : t->amax(d, k));
      case Amin: return nsmt::wrap(all ? t->min() : t->amin(d, k));
      case Std: return nsmt::wrap(all ? t->std(unbiased) : t->std(d, unbiased, k));
      case Var: return nsmt::wrap(all ? t->var(unbiased) : t->var(d, unbiased, k));
      case LogSumExp: {
        if (all) {
          std::vector<int64_t> every(t->dim());
          for (int64_t i = 0; i < t->dim(); ++i) every[i] = i;
          return nsmt::wrap(t->logsumexp(every, k));
        }
        return nsmt::wrap(t->logsumexp(d, k));
      }
      case All:
        if (all) return nsmt::wrap(t->all());
        if (d.size() != 1) throw std::invalid_argument("all reduces one dim at a time");
        return nsmt::wrap(t->all(d[0], k));
      case Any:
        if (all) return nsmt::wrap(t->any());
        if (d.size() != 1) throw std::invalid_argument("any reduces one dim at a time");
        return nsmt::wrap(t->any(d[0], k));
      case Norm:
        if (all) return nsmt::wrap(at::norm(*t, p));
        return nsmt::wrap(at::norm(*t, p, d, k));
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
  }
  NSMT_CATCH(nullptr)
}

// max/min along a dim: values and indices.
NSMT_API int32_t nsmt_max_dim(Tensor* t, int64_t dim, int32_t keepdim, int32_t is_min, Tensor** values, Tensor** indices) {
  try {
    auto r = is_min ? t->min(dim, keepdim != 0) : t->max(dim, keepdim != 0);
    *values = nsmt::wrap(std::get<0>(r));
    *indices = nsmt::wrap(std::get<1>(r));
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API Tensor* nsmt_argmax(Tensor* t, int64_t dim, int32_t has_dim, int32_t keepdim, int32_t is_min) {
  try {
    c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
    return nsmt::wrap(is_min ? t->argmin(d, keepdim != 0) : t->argmax(d, keepdim != 0));
  }
  NSMT_CATCH(nullptr)
}
NSMT_API int32_t nsmt_topk(Tensor* t, int64_t k, int64_t dim, int32_t largest, int32_t sorted, Tensor** values, Tensor** indices) {
  try {
    auto r = t->topk(k, dim, largest != 0, sorted != 0);
    *values = nsmt::wrap(std::get<0>(r));
    *indices = nsmt::wrap(std::get<1>(r));
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API int32_t nsmt_sort(Tensor* t, int64_t dim, int32_t descending, Tensor** values, Tensor** indices) {
  try {
    auto r = t->sort(dim, descending != 0);
    *values = nsmt::wrap(std::get<0>(r));
    *indices = nsmt::wrap(std::get<1>(r));
    return 0;
  }
  NSMT_CATCH(-1)
}
NSMT_API Tensor* nsmt_cumsum(Tensor* t, int64_t dim) { NSMT_TENSOR(t->cumsum(dim)) }

// ---- linear algebra ----
NSMT_API Tensor* nsmt_matmul(Tensor* a, Tensor* b) { NSMT_TENSOR(at::matmul(*a, *b)) }
NSMT_API Tensor* nsmt_mm(Tensor* a, Tensor* b) { NSMT_TENSOR(at::mm(*a, *b)) }
NSMT_API Tensor* nsmt_bmm(Tensor* a, Tensor* b) { NSMT_TENSOR(at::bmm(*a, *b)) }
NSMT_API Tensor* nsmt_linear(Tensor* input, Tensor* weight, Tensor* bias) {
  NSMT_TENSOR(at::linear(*input, *weight, nsmt::opt(bias)))
}
NSMT_API Tensor* nsmt_outer(Tensor* a, Tensor* b) { NSMT_TENSOR(at::outer(*a, *b)) }
NSMT_API Tensor* nsmt_einsum(const char* equation, Tensor** operands, int32_t count) {
  NSMT_TENSOR(at::einsum(equation, nsmt::tensor_list(operands, count)))
}
