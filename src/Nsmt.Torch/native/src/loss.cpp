// Loss functions. reduction: 0 none, 1 mean, 2 sum.
#include "common.h"

NSMT_API Tensor* nsmt_cross_entropy(Tensor* input, Tensor* target, Tensor* weight, int32_t reduction,
                                    int64_t ignore_index, double label_smoothing) {
  NSMT_TENSOR(at::cross_entropy_loss(*input, *target, nsmt::opt(weight), reduction, ignore_index, label_smoothing))
}
NSMT_API Tensor* nsmt_nll_loss(Tensor* input, Tensor* target, Tensor* weight, int32_t reduction, int64_t ignore_index) {
  NSMT_TENSOR(at::nll_loss_nd(*input, *target, nsmt::opt(weight), reduction, ignore_index))
}
NSMT_API Tensor* nsmt_mse_loss(Tensor* input, Tensor* target, int32_t reduction) {
  NSMT_TENSOR(at::mse_loss(*input, *target, reduction))
}
NSMT_API Tensor* nsmt_l1_loss(Tensor* input, Tensor* target, int32_t reduction) {
  NSMT_TENSOR(at::l1_loss(*input, *target, reduction))
}
NSMT_API Tensor* nsmt_smooth_l1_loss(Tensor* input, Tensor* target, int32_t reduction, double beta) {
  NSMT_TENSOR(at::smooth_l1_loss(*input, *target, reduction, beta))
}
NSMT_API Tensor* nsmt_huber_loss(Tensor* input, Tensor* target, int32_t reduction, double delta) {
  NSMT_TENSOR(at::huber_loss(*input, *target, reduction, delta))
}
NSMT_API Tensor* nsmt_kl_div(Tensor* input, Tensor* target, int32_t reduction, int32_t log_target) {
  try {
    // batchmean (code 3) is F.kl_div's sum divided by the batch size.
    if (reduction == 3) {
      auto total = at::kl_div(*input, *target, at::Reduction::Sum, log_target != 0);
      return nsmt::wrap(total / input->size(0));
    }
    return nsmt::wrap(at::kl_div(*input, *target, reduction, log_target != 0));
  }
  NSMT_CATCH(nullptr)
}
NSMT_API Tensor* nsmt_binary_cross_entropy(Tensor* input, Tensor* target, Tensor* weight, int32_t reduction) {
  NSMT_TENSOR(at::binary_cross_entropy(*input, *target, nsmt::opt(weight), reduction))
}
NSMT_API Tensor* nsmt_bce_with_logits(Tensor* input, Tensor* target, Tensor* weight, Tensor* pos_weight, int32_t reduction) {
  NSMT_TENSOR(at::binary_cross_entropy_with_logits(*input, *target, nsmt::opt(weight), nsmt::opt(pos_weight), reduction))
}
