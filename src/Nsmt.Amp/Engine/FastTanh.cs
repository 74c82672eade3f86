using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nsmt.Amp.Engine;

/// <summary>
/// NAM Core's fast tanh: x*(a + a|x| + (b + c|x|)x^2) / (d + (d + x^2)|x + e x|x||), and the fast
/// sigmoid 0.5*(fast_tanh(x/2) + 1), with the constants of nam-format.md.
/// </summary>
public static class FastTanh
{
    private const float A = 2.45550750702956f;
    private const float B = 0.893229853513558f;
    private const float C = 0.821226666969744f;
    private const float D = 2.44506634652299f;
    private const float E = 0.814642734961073f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        var ax = MathF.Abs(x);
        var x2 = x * x;
        return x * (A + (A * ax) + ((B + (C * ax)) * x2)) / (D + ((D + x2) * MathF.Abs(x + (E * x * ax))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 0.5f * (Tanh(0.5f * x) + 1f);

    /// <summary>In-place or out-of-place fast tanh over a span.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("destination is shorter than the input", nameof(destination));
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref var dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                Tanh(v).StoreUnsafe(ref dst, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = Tanh(x[i]);
        }
    }

    /// <summary>In-place or out-of-place fast sigmoid over a span.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("destination is shorter than the input", nameof(destination));
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref var dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            var half = Vector256.Create(0.5f);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                (half * (Tanh(half * v) + Vector256<float>.One)).StoreUnsafe(ref dst, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = Sigmoid(x[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Tanh(Vector256<float> x)
    {
        // Same operation order as the scalar version so both give the same float32 result.
        var ax = Vector256.Abs(x);
        var x2 = x * x;
        var numerator =
            x
            * (
                Vector256.Create(A)
                + (Vector256.Create(A) * ax)
                + ((Vector256.Create(B) + (Vector256.Create(C) * ax)) * x2)
            );
        var denominator =
            Vector256.Create(D) + ((Vector256.Create(D) + x2) * Vector256.Abs(x + (Vector256.Create(E) * x * ax)));
        return numerator / denominator;
    }
}
