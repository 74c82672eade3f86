using System.Numerics.Tensors;

namespace Nsmt.Amp.Engine;

/// <summary>Vectorised activations over spans in the chosen <see cref="TanhMode"/>.</summary>
internal static class Activations
{
    public static void Tanh(Span<float> values, TanhMode mode)
    {
        if (mode == TanhMode.Fast)
        {
            FastTanh.Tanh(values, values);
        }
        else
        {
            AccurateTanh.Apply(values);
        }
    }

    public static void Sigmoid(Span<float> values, TanhMode mode)
    {
        if (mode == TanhMode.Fast)
        {
            FastTanh.Sigmoid(values, values);
        }
        else
        {
            TensorPrimitives.Sigmoid(values, values);
        }
    }
}
