using static TorchSharp.torch;

namespace Nsmt.Neural;

/// <summary>Weight initialisations whose TorchSharp versions differ from PyTorch's.</summary>
public static class Initializers
{
    /// <summary>
    /// PyTorch's nn.init.trunc_normal_ (inverse-CDF sampling: uniform in [2l-1, 2u-1], erfinv, scale, shift, clamp),
    /// drawing the same random numbers, so a seed gives PyTorch's weights. TorchSharp 0.107's trunc_normal_ returns
    /// other values for the same call (measured: element 0 of a seeded 64x32 draw is 0.02, PyTorch's -0.0526).
    /// </summary>
    public static Tensor TruncNormal(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2)
    {
        static double NormalCdf(double x) => (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2))) / 2;
        var lower = NormalCdf((a - mean) / std);
        var upper = NormalCdf((b - mean) / std);
        using (no_grad())
        {
            tensor.uniform_(2 * lower - 1, 2 * upper - 1);
            tensor.erfinv_();
            tensor.mul_(std * Math.Sqrt(2));
            tensor.add_(mean);
            tensor.clamp_(a, b);
        }
        return tensor;
    }
}
