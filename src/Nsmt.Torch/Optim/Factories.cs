using Nsmt.Torch.Modules;
using static Nsmt.Torch.torch.nn;

namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class optim
    {
        public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled: false, maximize);

        /// <summary>AdamW: decoupled weight decay, default 0.01 as in PyTorch.</summary>
        public static Adam AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0.01, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled: true, maximize);

        public static SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0,
            bool nesterov = false, bool maximize = false) =>
            new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static class lr_scheduler
        {
            public static StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1) => new(optimizer, step_size, gamma);
            public static ExponentialLR ExponentialLR(Optimizer optimizer, double gamma) => new(optimizer, gamma);
            public static CosineAnnealingLR CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0) => new(optimizer, T_max, eta_min);

            public static OneCycleLR OneCycleLR(Optimizer optimizer, double max_lr, int total_steps, double pct_start = 0.3, bool cycle_momentum = true,
                double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25, double final_div_factor = 1e4) =>
                new(optimizer, max_lr, total_steps, pct_start, cycle_momentum, base_momentum, max_momentum, div_factor, final_div_factor);

            public static ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10,
                double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double min_lr = 0, double eps = 1e-8) =>
                new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps);
        }
    }
}
