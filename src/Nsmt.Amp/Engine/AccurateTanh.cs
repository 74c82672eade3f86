using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Vectorised float32 tanh within about 3.3 ulp over the whole range: a 13/6 odd/even rational
/// approximation (Eigen's float tanh coefficients), clamped where tanh rounds to +-1. Core uses
/// std::tanh; TensorPrimitives.Tanh computes e^x - 1 by cancellation and loses enough bits near 0
/// that a 20-layer WaveNet drifts about 1e-5 from Core, while this one stays within 4e-6.
/// </summary>
internal static class AccurateTanh
{
    // Beyond this |x| the approximation is clamped (tanh is within 1 ulp of +-1 there).
    private const float SaturationLimit = 7.99881172180175781f;

    // Below this |x|, tanh(x) == x in float32 to within an ulp.
    private const float TinyLimit = 0.0004f;

    public static void Apply(Span<float> values)
    {
        ref var start = ref MemoryMarshal.GetReference(values);
        var i = 0;
        for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Tanh(Vector256.LoadUnsafe(ref start, (nuint)i)).StoreUnsafe(ref start, (nuint)i);
        }

        if (i < values.Length)
        {
            // Tail through the same vector code so every element gets the same arithmetic.
            Span<float> tail = stackalloc float[Vector256<float>.Count];
            tail.Clear();
            values[i..].CopyTo(tail);
            var result = Tanh(Vector256.Create<float>(tail));
            result.CopyTo(tail);
            tail[..(values.Length - i)].CopyTo(values[i..]);
        }
    }

    public static float Tanh(float x) => Tanh(Vector256.Create(x)).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        // Odd/even rational approximation on [-c, c] (Eigen's float tanh coefficients); beyond c
        // tanh rounds to +-1. For tiny |x| the ratio loses relative accuracy, so return x there.
        var clamped = Vector256.Clamp(x, Vector256.Create(-SaturationLimit), Vector256.Create(SaturationLimit));
        var x2 = clamped * clamped;
        var p = Vector256.MultiplyAddEstimate(
            Vector256.Create(-2.76076847742355e-16f),
            x2,
            Vector256.Create(2.00018790482477e-13f)
        );
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(-8.60467152213735e-11f));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(5.12229709037114e-08f));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(1.48572235717979e-05f));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(6.37261928875436e-04f));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(4.89352455891786e-03f));
        p *= clamped;
        var q = Vector256.MultiplyAddEstimate(
            Vector256.Create(1.19825839466702e-06f),
            x2,
            Vector256.Create(1.18534705686654e-04f)
        );
        q = Vector256.MultiplyAddEstimate(q, x2, Vector256.Create(2.26843463243900e-03f));
        q = Vector256.MultiplyAddEstimate(q, x2, Vector256.Create(4.89352518554385e-03f));
        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(TinyLimit));
        return Vector256.ConditionalSelect(tiny, x, p / q);
    }
}
