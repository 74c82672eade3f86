using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>
/// NAM Core's activations over one channel's row of samples, in place, with Core's formulas (activations.h).
/// In <see cref="TanhMode.Fast"/> "Tanh" becomes Core's fast tanh, as the plugin's switch does; Sigmoid stays exact.
/// </summary>
internal static class NamActivationKernel
{
    public static void Apply(NamActivation activation, TanhMode mode, Span<float> row, int channel)
    {
        switch (activation.Kind)
        {
            case NamActivationKind.Tanh:
                Activations.Tanh(row, mode);
                break;
            case NamActivationKind.FastTanh:
                FastTanh.Tanh(row, row);
                break;
            case NamActivationKind.Hardtanh:
                TensorPrimitives.Clamp(row, -1f, 1f, row);
                break;
            case NamActivationKind.ReLU:
                LeakyRelu(row, 0f);
                break;
            case NamActivationKind.LeakyReLU:
                LeakyRelu(row, activation.NegativeSlope);
                break;
            case NamActivationKind.PReLU:
                LeakyRelu(row, activation.SlopeOf(channel));
                break;
            case NamActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(row, row);
                break;
            case NamActivationKind.SiLU:
                foreach (ref var x in row)
                {
                    x *= 1f / (1f + MathF.Exp(-x));
                }

                break;
            case NamActivationKind.Hardswish:
                foreach (ref var x in row)
                {
                    var t = x + 3f;
                    var clamped = t < 0f ? 0f : (t > 6f ? 6f : t);
                    x = x * clamped * (1f / 6f);
                }

                break;
            case NamActivationKind.LeakyHardtanh:
                foreach (ref var x in row)
                {
                    x =
                        x < activation.MinValue
                            ? ((x - activation.MinValue) * activation.MinSlope) + activation.MinValue
                        : x > activation.MaxValue
                            ? ((x - activation.MaxValue) * activation.MaxSlope) + activation.MaxValue
                        : x;
                }

                break;
            case NamActivationKind.Softsign:
                foreach (ref var x in row)
                {
                    x /= 1f + MathF.Abs(x);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(
                    nameof(activation),
                    activation.Kind,
                    "no kernel for this activation"
                );
        }
    }

    /// <summary>x > 0 ? x : slope * x (ReLU with slope 0).</summary>
    private static void LeakyRelu(Span<float> row, float slope)
    {
        ref var start = ref MemoryMarshal.GetReference(row);
        var s = Vector256.Create(slope);
        var i = 0;
        for (; i <= row.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var x = Vector256.LoadUnsafe(ref start, (nuint)i);
            Vector256
                .ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * s)
                .StoreUnsafe(ref start, (nuint)i);
        }

        for (; i < row.Length; i++)
        {
            row[i] = row[i] > 0f ? row[i] : slope * row[i];
        }
    }
}
