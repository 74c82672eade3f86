using Nsmt.Torch.Native;

namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>torch.nn.init: the same formulas and random draws as PyTorch 1.13 (bit-identical given the seed).</summary>
        public static class init
        {
            public enum FanMode { FanIn, FanOut }

            public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
            {
                "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "sigmoid" => 1,
                "tanh" => 5.0 / 3,
                "relu" => Math.Sqrt(2.0),
                "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
                "selu" => 3.0 / 4,
                _ => throw new ArgumentException($"unsupported nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
            };

            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException("fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions");
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++)
                    receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1)
            {
                using var _ = no_grad();
                Check.Status(NativeMethods.nsmt_uniform_(tensor.Handle, low, high));
                return tensor;
            }

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
            {
                using var _ = no_grad();
                Check.Status(NativeMethods.nsmt_normal_(tensor.Handle, mean, std));
                return tensor;
            }

            /// <summary>Normal(mean, std) truncated to [a, b], by inverse-CDF sampling as in PyTorch.</summary>
            public static Tensor trunc_normal_(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2)
            {
                static double NormCdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;
                using var _ = no_grad();
                var l = NormCdf((a - mean) / std);
                var u = NormCdf((b - mean) / std);
                Check.Status(NativeMethods.nsmt_uniform_(tensor.Handle, 2 * l - 1, 2 * u - 1));
                tensor.erfinv_();
                tensor.mul_(std * Math.Sqrt(2));
                tensor.add_(mean);
                tensor.clamp_(a, b);
                return tensor;
            }

            public static Tensor constant_(Tensor tensor, Scalar value)
            {
                using var _ = no_grad();
                return tensor.fill_(value);
            }

            public static Tensor zeros_(Tensor tensor) => constant_(tensor, 0);
            public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

            private static long Fan(Tensor tensor, FanMode mode)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                return mode == FanMode.FanIn ? fanIn : fanOut;
            }

            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
            {
                var std = calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
                var bound = Math.Sqrt(3.0) * std;
                return uniform_(tensor, -bound, bound);
            }

            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
            {
                var std = calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
                return normal_(tensor, 0, std);
            }

            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                var a = Math.Sqrt(3.0) * std;
                return uniform_(tensor, -a, a);
            }

            public static Tensor xavier_normal_(Tensor tensor, double gain = 1)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                return normal_(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
            }

            // Python's math.erf (Cody's rational approximations are what libm uses; .NET has none built in).
            internal static double Erf(double x) => MathNet.Numerics.SpecialFunctions.Erf(x);
        }
    }
}
