using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nsmt.Amp.Engine;

/// <summary>
/// Arguments of one <see cref="ConvKernel.Run"/> call: a (dilated) convolution of channel-major
/// signals over a block of columns, i.e. out[r][t] = residual[r][t] + ((sum_c sum_k W[r][c][k] * in[c][t + tap_k] + bias[r]) + mixin[r] * condition[t]).
/// </summary>
internal unsafe struct ConvCall
{
    /// <summary>Weights packed by <see cref="PackedConv"/>: per tile of 4 rows, [c][k][4].</summary>
    public float* Weights;

    /// <summary>Output rows, a multiple of <see cref="ConvKernel.RowTile"/>.</summary>
    public int Rows;

    public int InChannels;

    public int Taps;

    /// <summary>Column offset of each tap relative to the output column (0 or negative: causal).</summary>
    public int* TapOffsets;

    /// <summary>Column 0 of input channel 0.</summary>
    public float* Input;

    public int InputStride;

    /// <summary>Per-row bias (may be null).</summary>
    public float* Bias;

    /// <summary>Per-row weight of the condition signal (may be null).</summary>
    public float* Mixin;

    /// <summary>Condition signal (one row), used with <see cref="Mixin"/>.</summary>
    public float* Condition;

    /// <summary>Residual rows added to the output (may be null; may alias <see cref="Output"/>).</summary>
    public float* Residual;

    public int ResidualStride;

    public float* Output;

    public int OutputStride;

    /// <summary>Columns to compute, a multiple of <see cref="ConvKernel.ColumnQuantum"/>.</summary>
    public int Columns;
}

/// <summary>
/// Register-blocked float32 micro-kernel: 4 output rows x 32 columns (16 accumulators) per
/// step, each input vector loaded once per (channel, tap) and reused by 4 rows. Rows and columns
/// are padded by the callers (zero weights) so there are no scalar remainders.
/// </summary>
internal static unsafe class ConvKernel
{
    public const int RowTile = 4;
    public const int ColumnQuantum = 8;
    private const int WideTile = 32;

    public static void Run(in ConvCall call)
    {
        var perTile = call.InChannels * call.Taps * RowTile;
        for (var r0 = 0; r0 < call.Rows; r0 += RowTile)
        {
            var tileWeights = call.Weights + ((r0 / RowTile) * perTile);
            var t0 = 0;
            for (; t0 + WideTile <= call.Columns; t0 += WideTile)
            {
                Wide(call, tileWeights, r0, t0);
            }

            for (; t0 < call.Columns; t0 += ColumnQuantum)
            {
                Narrow(call, tileWeights, r0, t0);
            }
        }
    }

    /// <summary>
    /// The same convolution summed in NAM Core's order (Eigen without FMA, as Core ships): per tap
    /// s_k = sum over input channels in order, each product rounded; out = (((0 + s_0) + s_1) + ...).
    /// Slower than <see cref="Run"/>, but random 0.6 test models whose signals grow to |y| ~ 15 stay within
    /// 1e-5 of Core only this way (FMA and another summation order drift about 2e-5 there). Columns go 16 at a
    /// time where the CPU has 512-bit vectors, 8 at a time otherwise: each column's arithmetic is the same either
    /// way, so the result does not depend on the CPU.
    /// </summary>
    public static void RunInCoreOrder(in ConvCall call)
    {
        var wide = Vector512.IsHardwareAccelerated ? call.Columns / Vector512<float>.Count * Vector512<float>.Count : 0;
        if (wide > 0)
        {
            RunInCoreOrder512(call, wide);
        }

        if (wide < call.Columns)
        {
            RunInCoreOrder256(call, wide);
        }
    }

    // The two widths are written out: a generic form needs ISimdVector, which .NET 10 does not make public.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunInCoreOrder256(in ConvCall call, int firstColumn)
    {
        var perTile = call.InChannels * call.Taps * RowTile;
        var tapStride = call.Taps * RowTile;
        nint stride = call.InputStride;
        for (var r0 = 0; r0 < call.Rows; r0 += RowTile)
        {
            var tileWeights = call.Weights + ((r0 / RowTile) * perTile);
            for (var t0 = firstColumn; t0 < call.Columns; t0 += Vector256<float>.Count)
            {
                var o0 = Vector256<float>.Zero;
                var o1 = Vector256<float>.Zero;
                var o2 = Vector256<float>.Zero;
                var o3 = Vector256<float>.Zero;
                for (var k = 0; k < call.Taps; k++)
                {
                    var w = tileWeights + (k * RowTile);
                    var src = call.Input + t0 + call.TapOffsets[k];
                    var s0 = Vector256<float>.Zero;
                    var s1 = Vector256<float>.Zero;
                    var s2 = Vector256<float>.Zero;
                    var s3 = Vector256<float>.Zero;
                    for (var c = 0; c < call.InChannels; c++, w += tapStride, src += stride)
                    {
                        var x = Vector256.Load(src);
                        s0 += Vector256.Create(w[0]) * x;
                        s1 += Vector256.Create(w[1]) * x;
                        s2 += Vector256.Create(w[2]) * x;
                        s3 += Vector256.Create(w[3]) * x;
                    }

                    o0 += s0;
                    o1 += s1;
                    o2 += s2;
                    o3 += s3;
                }

                StoreTile(call, o0, o1, o2, o3, r0, t0);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunInCoreOrder512(in ConvCall call, int endColumn)
    {
        var perTile = call.InChannels * call.Taps * RowTile;
        var tapStride = call.Taps * RowTile;
        nint stride = call.InputStride;
        nint outStride = call.OutputStride;
        for (var r0 = 0; r0 < call.Rows; r0 += RowTile)
        {
            var tileWeights = call.Weights + ((r0 / RowTile) * perTile);
            for (var t0 = 0; t0 < endColumn; t0 += Vector512<float>.Count)
            {
                var o0 = Vector512<float>.Zero;
                var o1 = Vector512<float>.Zero;
                var o2 = Vector512<float>.Zero;
                var o3 = Vector512<float>.Zero;
                for (var k = 0; k < call.Taps; k++)
                {
                    var w = tileWeights + (k * RowTile);
                    var src = call.Input + t0 + call.TapOffsets[k];
                    var s0 = Vector512<float>.Zero;
                    var s1 = Vector512<float>.Zero;
                    var s2 = Vector512<float>.Zero;
                    var s3 = Vector512<float>.Zero;
                    for (var c = 0; c < call.InChannels; c++, w += tapStride, src += stride)
                    {
                        var x = Vector512.Load(src);
                        s0 += Vector512.Create(w[0]) * x;
                        s1 += Vector512.Create(w[1]) * x;
                        s2 += Vector512.Create(w[2]) * x;
                        s3 += Vector512.Create(w[3]) * x;
                    }

                    o0 += s0;
                    o1 += s1;
                    o2 += s2;
                    o3 += s3;
                }

                var o = call.Output + (r0 * outStride) + t0;
                Finish(call, o0, r0, t0).Store(o);
                Finish(call, o1, r0 + 1, t0).Store(o + outStride);
                Finish(call, o2, r0 + 2, t0).Store(o + (2 * outStride));
                Finish(call, o3, r0 + 3, t0).Store(o + (3 * outStride));
            }
        }
    }

    /// <summary>
    /// Adds bias, mixin and residual AFTER the products, in Core's order ((W*x + b) + mixin*c, then
    /// h + that): adding many small products onto a large residual would round at the residual's
    /// scale each time and lose several bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish(in ConvCall call, Vector256<float> products, int row, int column)
    {
        var value = products;
        if (call.Bias is not null)
        {
            value += Vector256.Create(call.Bias[row]);
        }

        if (call.Mixin is not null)
        {
            value += Vector256.Create(call.Mixin[row]) * Vector256.Load(call.Condition + column);
        }

        if (call.Residual is not null)
        {
            value = Vector256.Load(call.Residual + (row * (nint)call.ResidualStride) + column) + value;
        }

        return value;
    }

    /// <summary>The 512-bit <see cref="Finish(in ConvCall, Vector256{float}, int, int)"/>: the same operations per column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(in ConvCall call, Vector512<float> products, int row, int column)
    {
        var value = products;
        if (call.Bias is not null)
        {
            value += Vector512.Create(call.Bias[row]);
        }

        if (call.Mixin is not null)
        {
            value += Vector512.Create(call.Mixin[row]) * Vector512.Load(call.Condition + column);
        }

        if (call.Residual is not null)
        {
            value = Vector512.Load(call.Residual + (row * (nint)call.ResidualStride) + column) + value;
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Wide(in ConvCall call, float* w, int r0, int t0)
    {
        var a00 = Vector256<float>.Zero;
        var a01 = Vector256<float>.Zero;
        var a02 = Vector256<float>.Zero;
        var a03 = Vector256<float>.Zero;
        var a10 = Vector256<float>.Zero;
        var a11 = Vector256<float>.Zero;
        var a12 = Vector256<float>.Zero;
        var a13 = Vector256<float>.Zero;
        var a20 = Vector256<float>.Zero;
        var a21 = Vector256<float>.Zero;
        var a22 = Vector256<float>.Zero;
        var a23 = Vector256<float>.Zero;
        var a30 = Vector256<float>.Zero;
        var a31 = Vector256<float>.Zero;
        var a32 = Vector256<float>.Zero;
        var a33 = Vector256<float>.Zero;

        var taps = call.Taps;
        var offsets = call.TapOffsets;
        var row = call.Input + t0;
        nint stride = call.InputStride;
        for (var c = 0; c < call.InChannels; c++, row += stride)
        {
            for (var k = 0; k < taps; k++, w += RowTile)
            {
                var src = row + offsets[k];
                var x0 = Vector256.Load(src);
                var x1 = Vector256.Load(src + 8);
                var x2 = Vector256.Load(src + 16);
                var x3 = Vector256.Load(src + 24);

                var w0 = Vector256.Create(w[0]);
                a00 = Vector256.MultiplyAddEstimate(w0, x0, a00);
                a01 = Vector256.MultiplyAddEstimate(w0, x1, a01);
                a02 = Vector256.MultiplyAddEstimate(w0, x2, a02);
                a03 = Vector256.MultiplyAddEstimate(w0, x3, a03);
                var w1 = Vector256.Create(w[1]);
                a10 = Vector256.MultiplyAddEstimate(w1, x0, a10);
                a11 = Vector256.MultiplyAddEstimate(w1, x1, a11);
                a12 = Vector256.MultiplyAddEstimate(w1, x2, a12);
                a13 = Vector256.MultiplyAddEstimate(w1, x3, a13);
                var w2 = Vector256.Create(w[2]);
                a20 = Vector256.MultiplyAddEstimate(w2, x0, a20);
                a21 = Vector256.MultiplyAddEstimate(w2, x1, a21);
                a22 = Vector256.MultiplyAddEstimate(w2, x2, a22);
                a23 = Vector256.MultiplyAddEstimate(w2, x3, a23);
                var w3 = Vector256.Create(w[3]);
                a30 = Vector256.MultiplyAddEstimate(w3, x0, a30);
                a31 = Vector256.MultiplyAddEstimate(w3, x1, a31);
                a32 = Vector256.MultiplyAddEstimate(w3, x2, a32);
                a33 = Vector256.MultiplyAddEstimate(w3, x3, a33);
            }
        }

        nint outStride = call.OutputStride;
        var o = call.Output + (r0 * outStride) + t0;
        Finish(call, a00, r0 + 0, t0).Store(o);
        Finish(call, a01, r0 + 0, t0 + 8).Store(o + 8);
        Finish(call, a02, r0 + 0, t0 + 16).Store(o + 16);
        Finish(call, a03, r0 + 0, t0 + 24).Store(o + 24);
        o += outStride;
        Finish(call, a10, r0 + 1, t0).Store(o);
        Finish(call, a11, r0 + 1, t0 + 8).Store(o + 8);
        Finish(call, a12, r0 + 1, t0 + 16).Store(o + 16);
        Finish(call, a13, r0 + 1, t0 + 24).Store(o + 24);
        o += outStride;
        Finish(call, a20, r0 + 2, t0).Store(o);
        Finish(call, a21, r0 + 2, t0 + 8).Store(o + 8);
        Finish(call, a22, r0 + 2, t0 + 16).Store(o + 16);
        Finish(call, a23, r0 + 2, t0 + 24).Store(o + 24);
        o += outStride;
        Finish(call, a30, r0 + 3, t0).Store(o);
        Finish(call, a31, r0 + 3, t0 + 8).Store(o + 8);
        Finish(call, a32, r0 + 3, t0 + 16).Store(o + 16);
        Finish(call, a33, r0 + 3, t0 + 24).Store(o + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow(in ConvCall call, float* w, int r0, int t0)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;

        var taps = call.Taps;
        var offsets = call.TapOffsets;
        var row = call.Input + t0;
        nint stride = call.InputStride;
        for (var c = 0; c < call.InChannels; c++, row += stride)
        {
            for (var k = 0; k < taps; k++, w += RowTile)
            {
                var x = Vector256.Load(row + offsets[k]);
                a0 = Vector256.MultiplyAddEstimate(Vector256.Create(w[0]), x, a0);
                a1 = Vector256.MultiplyAddEstimate(Vector256.Create(w[1]), x, a1);
                a2 = Vector256.MultiplyAddEstimate(Vector256.Create(w[2]), x, a2);
                a3 = Vector256.MultiplyAddEstimate(Vector256.Create(w[3]), x, a3);
            }
        }

        StoreTile(call, a0, a1, a2, a3, r0, t0);
    }

    /// <summary>Finishes and stores 4 rows x 8 columns of products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile(
        in ConvCall call,
        Vector256<float> a0,
        Vector256<float> a1,
        Vector256<float> a2,
        Vector256<float> a3,
        int r0,
        int t0
    )
    {
        nint outStride = call.OutputStride;
        var o = call.Output + (r0 * outStride) + t0;
        Finish(call, a0, r0, t0).Store(o);
        Finish(call, a1, r0 + 1, t0).Store(o + outStride);
        Finish(call, a2, r0 + 2, t0).Store(o + (2 * outStride));
        Finish(call, a3, r0 + 3, t0).Store(o + (3 * outStride));
    }
}
