// Fused optimiser steps and gradient clipping: one native call per step instead of ~10 per
// parameter. The arithmetic follows PyTorch 1.13's single-tensor implementations operation by
// operation so trajectories match.
#include "common.h"
#include <cmath>

namespace {
struct NoGrad {
  c10::AutoGradMode guard{false};
};
}  // namespace

// Adam (decoupled = 0) or AdamW (decoupled = 1). steps[i] counts parameter i's updates; it is
// incremented here for every parameter that has a gradient. max_exp_avg_sq may be null unless amsgrad.
NSMT_API int32_t nsmt_adam_step(Tensor** params, Tensor** exp_avg, Tensor** exp_avg_sq, Tensor** max_exp_avg_sq,
                                int64_t* steps, int32_t count, double lr, double beta1, double beta2, double eps,
                                double weight_decay, int32_t amsgrad, int32_t decoupled, int32_t maximize) {
  try {
    NoGrad no_grad;
    for (int32_t i = 0; i < count; ++i) {
      Tensor& param = *params[i];
      const Tensor& g = param.grad();
      if (!g.defined()) continue;
      const double step = static_cast<double>(++steps[i]);
      const double bias_correction1 = 1.0 - std::pow(beta1, step);
      const double bias_correction2 = 1.0 - std::pow(beta2, step);
      const double step_size = lr / bias_correction1;
      const double bias_correction2_sqrt = std::sqrt(bias_correction2);
      Tensor grad = maximize ? g.neg() : g;
      if (decoupled) {
        param.mul_(1.0 - lr * weight_decay);
      } else if (weight_decay != 0) {
        grad = grad.add(param, weight_decay);
      }
      exp_avg[i]->mul_(beta1).add_(grad, 1.0 - beta1);
      exp_avg_sq[i]->mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
      Tensor denom;
      if (amsgrad) {
        at::maximum_out(*max_exp_avg_sq[i], *max_exp_avg_sq[i], *exp_avg_sq[i]);
        denom = (max_exp_avg_sq[i]->sqrt() / bias_correction2_sqrt).add_(eps);
      } else {
        denom = (exp_avg_sq[i]->sqrt() / bias_correction2_sqrt).add_(eps);
      }
      param.addcdiv_(*exp_avg[i], denom, -step_size);
    }
    return 0;
  }
  NSMT_CATCH(-1)
}

// SGD with momentum/nesterov. momentum_buffers[i] == null on the first step: a new buffer handle is
// written back into the array (the caller owns it).
NSMT_API int32_t nsmt_sgd_step(Tensor** params, Tensor** momentum_buffers, int32_t count, double lr, double momentum,
                               double dampening, double weight_decay, int32_t nesterov, int32_t maximize) {
  try {
    NoGrad no_grad;
    for (int32_t i = 0; i < count; ++i) {
      Tensor& param = *params[i];
      const Tensor& g = param.grad();
      if (!g.defined()) continue;
      Tensor d_p = maximize ? g.neg() : g;
      if (weight_decay != 0) d_p = d_p.add(param, weight_decay);
      if (momentum != 0) {
        if (momentum_buffers[i] == nullptr) {
          momentum_buffers[i] = nsmt::wrap(d_p.clone().detach());
        } else {
          momentum_buffers[i]->mul_(momentum).add_(d_p, 1.0 - dampening);
        }
        d_p = nesterov ? d_p.add(*momentum_buffers[i], momentum) : *momentum_buffers[i];
      }
      param.add_(d_p, -lr);
    }
    return 0;
  }
  NSMT_CATCH(-1)
}

// torch.nn.utils.clip_grad_norm_: returns the total norm (before clipping), NaN on failure.
NSMT_API double nsmt_clip_grad_norm(Tensor** params, int32_t count, double max_norm, double norm_type) {
  try {
    NoGrad no_grad;
    std::vector<Tensor> grads;
    for (int32_t i = 0; i < count; ++i)
      if (params[i]->grad().defined()) grads.push_back(params[i]->grad());
    if (grads.empty()) return 0.0;
    Tensor total;
    if (std::isinf(norm_type)) {
      std::vector<Tensor> norms;
      for (auto& g : grads) norms.push_back(g.detach().abs().max());
      total = norms.size() == 1 ? norms[0] : at::stack(norms).max();
    } else {
      std::vector<Tensor> norms;
      for (auto& g : grads) norms.push_back(at::norm(g.detach(), norm_type));
      total = at::norm(at::stack(norms), norm_type);
    }
    Tensor coef = at::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
    for (auto& g : grads) g.detach().mul_(coef);
    return total.item<double>();
  }
  NSMT_CATCH(std::numeric_limits<double>::quiet_NaN())
}

NSMT_API int32_t nsmt_clip_grad_value(Tensor** params, int32_t count, double clip_value) {
  try {
    NoGrad no_grad;
    for (int32_t i = 0; i < count; ++i)
      if (params[i]->grad().defined()) params[i]->grad().clamp_(-clip_value, clip_value);
    return 0;
  }
  NSMT_CATCH(-1)
}
