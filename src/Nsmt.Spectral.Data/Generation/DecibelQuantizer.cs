using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>
/// The element-wise tail of the image pipeline (spec steps 5 and 7) as two fused vector passes.
/// Each lane does the same IEEE operations, in the same order, as the scalar formula, so the
/// results are bit-identical to it. Hand-written rather than a chain of TensorPrimitives calls:
/// one pass instead of seven, and far less code to JIT at start-up.
/// </summary>
internal static class DecibelQuantizer
{
    /// <summary>x *= factor in place; returns the (min, max) of the scaled values (none may be NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Min, double Max) ScaleWithRange(Span<double> values, double factor)
    {
        double min = double.PositiveInfinity,
            max = double.NegativeInfinity;
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            var f = new Vector<double>(factor);
            var vmin = new Vector<double>(double.PositiveInfinity);
            var vmax = new Vector<double>(double.NegativeInfinity);
            for (var v = 0; v < vectors.Length; v++)
            {
                var x = vectors[v] * f;
                vectors[v] = x;
                vmin = Vector.Min(vmin, x);
                vmax = Vector.Max(vmax, x);
            }

            for (var j = 0; j < Vector<double>.Count; j++)
            {
                min = Math.Min(min, vmin[j]);
                max = Math.Max(max, vmax[j]);
            }

            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < values.Length; i++)
        {
            var x = values[i] * factor;
            values[i] = x;
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }

        return (min, max);
    }

    /// <summary>
    /// NSMT's 8-bit mapping: clip(round_half_even((x - min)/(max - min)*255), 0, 255); all zeros
    /// when max == min.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(ReadOnlySpan<double> values, double min, double max, Span<byte> pixels)
    {
        if (!(max > min))
        {
            pixels[..values.Length].Clear();
            return;
        }

        var range = max - min;
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            var lo = new Vector<double>(min);
            var span = new Vector<double>(range);
            var full = new Vector<double>(255.0);
            for (var v = 0; v < vectors.Length; v++, i += Vector<double>.Count)
            {
                // Division, not a multiply by the reciprocal: the scalar formula divides.
                var q = Vector.Round((vectors[v] - lo) / span * full);
                q = Vector.Min(Vector.Max(q, Vector<double>.Zero), full);
                for (var j = 0; j < Vector<double>.Count; j++)
                {
                    pixels[i + j] = (byte)q[j];
                }
            }
        }

        for (; i < values.Length; i++)
        {
            pixels[i] = (byte)
                Math.Clamp(Math.Round((values[i] - min) / range * 255.0, MidpointRounding.ToEven), 0, 255);
        }
    }
}
