// Shared conventions of the C ABI.
//  - Tensors cross as heap-allocated at::Tensor* handles owned by the caller (freed by nsmt_free).
//  - Arrays cross as (pointer, length). Optional tensors are null pointers.
//  - Every export catches C++ exceptions, stores the message in a thread-local slot and returns a
//    sentinel (nullptr for handles, -1 for status codes); the C# side checks and throws.
#pragma once
#include "pch.h"
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <optional>

#define NSMT_API extern "C" __attribute__((visibility("default")))

using Tensor = at::Tensor;

namespace nsmt {

void set_error(const char* message);

// A scalar crossing the ABI by value: kind 0 = floating, 1 = integer, 2 = bool.
struct Scalar {
  int32_t kind;
  double d;
  int64_t i;
};

inline at::Scalar to_scalar(Scalar s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.d);
  }
}

inline Tensor* wrap(Tensor t) { return new Tensor(std::move(t)); }

inline c10::optional<Tensor> opt(const Tensor* t) {
  return t ? c10::optional<Tensor>(*t) : c10::nullopt;
}

inline at::IntArrayRef ints(const int64_t* data, int32_t length) {
  return at::IntArrayRef(data, static_cast<size_t>(length));
}

inline std::vector<Tensor> tensor_list(Tensor** items, int32_t count) {
  std::vector<Tensor> list;
  list.reserve(count);
  for (int32_t i = 0; i < count; ++i) list.push_back(*items[i]);
  return list;
}

// Dtype codes are TorchSharp's ScalarType values, which are c10::ScalarType's.
inline at::ScalarType dtype(int32_t code) { return static_cast<at::ScalarType>(code); }

inline at::Device device(int32_t type, int32_t index) {
  return at::Device(static_cast<at::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int32_t dtype_code, int32_t device_type, int32_t device_index,
                                 bool requires_grad = false) {
  return at::TensorOptions()
      .dtype(dtype(dtype_code))
      .device(device(device_type, device_index))
      .requires_grad(requires_grad);
}

inline int64_t reduction(int32_t code) { return code; }  // 0 none, 1 mean, 2 sum (at::Reduction)

}  // namespace nsmt

// Exception guards. c10::Error carries a backtrace in what(); report only the message.
#define NSMT_CATCH(ret)                                    \
  catch (const c10::Error& e) {                            \
    nsmt::set_error(e.what_without_backtrace());           \
    return ret;                                            \
  }                                                        \
  catch (const std::exception& e) {                        \
    nsmt::set_error(e.what());                             \
    return ret;                                            \
  }                                                        \
  catch (...) {                                            \
    nsmt::set_error("unknown native exception");           \
    return ret;                                            \
  }

// Body returning a new tensor handle (nullptr on failure).
#define NSMT_TENSOR(expr) \
  try {                   \
    return nsmt::wrap(expr); \
  }                       \
  NSMT_CATCH(nullptr)

// Body returning a status: 0 ok, -1 failure.
#define NSMT_STATUS(stmts) \
  try {                    \
    stmts;                 \
    return 0;              \
  }                        \
  NSMT_CATCH(-1)
