using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static Nsmt.Neural.Kernels.KernelMemory;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// A dilated, unpadded, stride-1 float32 conv1d on the CPU written with .NET SIMD, forward and all three gradients,
/// without im2col buffers: y[b, o, t] = bias[o] + sum_c sum_k w[o, c, k] x[b, c, t + k d]. Where oneDNN is off
/// (issue 29: libtorch 2.10's oneDNN computes wrong float32 convolutions on AMD Zen 5) libtorch unfolds such a conv
/// into im2col columns and an MKL GEMM; this kernel took 3-6x less CPU time for A1's kernel-3 layers forward and
/// backward (bench/amp-train/RESULTS.md). The time axis is vectorised (Vector512, else Vector256, else scalar: one
/// generic kernel): for a block of 8 output rows, 2 time vectors of accumulators stay in registers and every (input
/// row, tap) adds one loaded vector times a broadcast weight. The input gradient is the same kernel over the output
/// gradient with transposed weights and negative tap offsets; the weight gradient is dot products over time, 4 x 4
/// rows at a time. Work is split into batch items and fixed time chunks, and the weight and bias partials are summed in
/// a fixed order, so results do not depend on the thread count.
/// </summary>
public static unsafe class SimdConv1d
{
    // Samples per work item: large enough that a thread's items stream through L2, a multiple of every vector step.
    private const int Chunk = 4096;

    /// <summary>The vector width the kernel runs at on this CPU.</summary>
    public static string VectorWidth => KernelMemory.VectorWidth;

    /// <summary>Whether the kernel computes this conv: float32 on the CPU, [B, C, L] by [O, C, K] with K > 1.</summary>
    /// <remarks>1x1 convs stay on libtorch, which runs them as one GEMM at least as fast.</remarks>
    public static bool Serves(Tensor input, Tensor weight) =>
        input.device_type == DeviceType.CPU
        && weight.device_type == DeviceType.CPU
        && input.dtype == ScalarType.Float32
        && weight.dtype == ScalarType.Float32
        && input.dim() == 3
        && weight.dim() == 3
        && weight.size(1) == input.size(1)
        && weight.size(2) > 1
        && input.size(2) > (weight.size(2) - 1);

    /// <summary>
    /// conv1d(<paramref name="input"/>, <paramref name="weight"/>, <paramref name="bias"/>, dilation) with autograd,
    /// on torch's intra-op thread count. Only where <see cref="Serves"/>.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, long dilation)
    {
        if (!Serves(input, weight) || input.size(2) <= dilation * (weight.size(2) - 1))
        {
            throw new ArgumentException(
                $"SimdConv1d computes float32 CPU convs [B, C, L] x [O, C, K > 1] with L > d (K - 1); got {string.Join('x', input.shape)} x {string.Join('x', weight.shape)}, dilation {dilation}"
            );
        }

        return SimdConv1dFunction.apply(input, weight, bias, (int)dilation, get_num_threads());
    }

    /// <summary>
    /// <paramref name="conv"/> on <paramref name="input"/>: by this kernel where <paramref name="enabled"/>, the module
    /// computes what the kernel does (unpadded, stride 1, one group; its own dilation) and the kernel serves the shapes,
    /// by the module otherwise. A module with forward hooks (diagrams, probes) is always called, so observers see it run.
    /// </summary>
    public static Tensor Call(TorchSharp.Modules.Conv1d conv, Tensor input, bool enabled) =>
        enabled && !conv.HasForwardHooks && Computes(conv)
            ? Conv1d(input, conv.weight!, conv.bias, conv.dilation[0], enabled: true)
            : conv.call(input);

    /// <summary>
    /// F.conv1d(<paramref name="input"/>, <paramref name="weight"/>, <paramref name="bias"/>, dilation), unpadded and
    /// stride 1: by this kernel where <paramref name="enabled"/> and it serves the shapes, by libtorch otherwise.
    /// </summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias, long dilation, bool enabled) =>
        enabled && Serves(input, weight)
            ? Apply(input, weight, bias, dilation)
            : nn.functional.conv1d(input, weight, bias, dilation: dilation);

    // The geometry the kernel computes: a module padded, strided, grouped or transposed is left to libtorch.
    private static bool Computes(TorchSharp.Modules.Conv1d conv) =>
        !conv.transposed
        && conv.groups == 1
        && conv.stride.All(s => s == 1)
        && (conv.padding ?? []).All(p => p == 0)
        && conv.padding_type is null or Padding.Valid;

    /// <summary>Forward: x [B, C, L], w [O, C, K], bias [O] or null -> [B, O, L - d (K - 1)].</summary>
    internal static Tensor Forward(Tensor x, Tensor w, Tensor? bias, int dilation, int threads)
    {
        var (batch, c, length) = ((int)x.size(0), (int)x.size(1), (int)x.size(2));
        var (o, k) = ((int)w.size(0), (int)w.size(2));
        var outLength = length - (dilation * (k - 1));
        var y = empty([batch, o, outLength], ScalarType.Float32);
        // Packed [c][k][o]: the 8 weights one (input row, tap) broadcasts are adjacent.
        var packed = Pack(w, transpose: false);
        var init = bias is null ? new float[o] : Floats(bias);
        var offsets = new int[k];
        for (var j = 0; j < k; j++)
        {
            offsets[j] = j * dilation;
        }

        var xp = Pointer(x);
        var yp = Pointer(y);
        ForChunks(batch, outLength, threads, (b, t0, t1) =>
        {
            fixed (float* wp = packed)
            fixed (float* ip = init)
            fixed (int* op = offsets)
            {
                Rows(
                    new RowArgs(
                        xp + ((long)b * c * length),
                        length,
                        c,
                        yp + ((long)b * o * outLength),
                        outLength,
                        o,
                        wp,
                        k,
                        op,
                        0,
                        k,
                        ip
                    ),
                    t0,
                    t1
                );
            }
        });
        return y;
    }

    /// <summary>Input gradient: gy [B, O, Lout] -> [B, C, Lout + d (K - 1)] (the transposed conv).</summary>
    internal static Tensor InputGrad(Tensor gy, Tensor w, int dilation, int threads)
    {
        var (batch, o, outLength) = ((int)gy.size(0), (int)gy.size(1), (int)gy.size(2));
        var (c, k) = ((int)w.size(1), (int)w.size(2));
        var length = outLength + (dilation * (k - 1));
        var gx = empty([batch, c, length], ScalarType.Float32);
        var packed = Pack(w, transpose: true);
        var init = new float[c];
        var offsets = new int[k];
        for (var j = 0; j < k; j++)
        {
            offsets[j] = -j * dilation;
        }

        // Segments of s where the set of valid taps (0 <= s - j d < Lout) is one contiguous range [jLo, jHi).
        var cuts = new SortedSet<int> { 0, length };
        for (var j = 0; j < k; j++)
        {
            cuts.Add(j * dilation);
            cuts.Add(Math.Min(length, outLength + (j * dilation)));
        }

        var bounds = cuts.ToArray();
        var gyp = Pointer(gy);
        var gxp = Pointer(gx);
        ForChunks(batch, length, threads, (b, t0, t1) =>
        {
            fixed (float* wp = packed)
            fixed (float* ip = init)
            fixed (int* op = offsets)
            {
                for (var i = 0; i + 1 < bounds.Length; i++)
                {
                    var (s0, s1) = (bounds[i], bounds[i + 1]);
                    if (s1 <= t0 || s0 >= t1)
                    {
                        continue;
                    }

                    var jHi = Math.Min(k, (s0 / dilation) + 1);
                    var jLo = 0;
                    while (jLo < jHi && s0 - (jLo * dilation) >= outLength)
                    {
                        jLo++;
                    }

                    // No valid tap (only where Lout < d): init's zeros.
                    Rows(
                        new RowArgs(
                            gyp + ((long)b * o * outLength),
                            outLength,
                            o,
                            gxp + ((long)b * c * length),
                            length,
                            c,
                            wp,
                            k,
                            op,
                            jLo,
                            jHi,
                            ip
                        ),
                        Math.Max(s0, t0),
                        Math.Min(s1, t1)
                    );
                }
            }
        });
        return gx;
    }

    /// <summary>Weight and bias gradients: sums over batch and time of gy[o, t] x[c, t + k d] and of gy[o, t].</summary>
    internal static (float[] Weight, float[] Bias) WeightGrad(
        Tensor gy,
        Tensor x,
        int kernel,
        int dilation,
        int threads
    )
    {
        var (batch, o, outLength) = ((int)gy.size(0), (int)gy.size(1), (int)gy.size(2));
        var (c, length) = ((int)x.size(1), (int)x.size(2));
        var items = batch * Chunks(outLength);
        var partials = new float[items * o * c * kernel];
        var biasPartials = new float[items * o];
        var gyp = Pointer(gy);
        var xp = Pointer(x);
        ForChunks(batch, outLength, threads, (b, t0, t1) =>
        {
            var item = (b * Chunks(outLength)) + (t0 / Chunk);
            var rowsA = new nint[o];
            for (var r = 0; r < o; r++)
            {
                rowsA[r] = (nint)(gyp + ((long)b * o * outLength) + ((long)r * outLength) + t0);
            }

            // B rows in (c, k) order, so the dot product lands at [o][c][k].
            var rowsB = new nint[c * kernel];
            for (var ci = 0; ci < c; ci++)
            {
                for (var j = 0; j < kernel; j++)
                {
                    rowsB[(ci * kernel) + j] = (nint)(
                        xp + ((long)b * c * length) + ((long)ci * length) + (j * dilation) + t0
                    );
                }
            }

            fixed (float* pp = &partials[item * o * c * kernel])
            fixed (float* bp = &biasPartials[item * o])
            {
                Dots(rowsA, rowsB, t1 - t0, pp);
                for (var r = 0; r < o; r++)
                {
                    bp[r] = Sum((float*)rowsA[r], t1 - t0);
                }
            }
        });

        return (
            KernelThreads.SumInOrder(partials, items, o * c * kernel),
            KernelThreads.SumInOrder(biasPartials, items, o)
        );
    }

    /// <summary>
    /// Runs <paramref name="body"/>(b, t0, t1) over every batch item and fixed chunk of [0, length) (a multiple of every
    /// vector step), on up to <paramref name="threads"/> threads: a batch of one (validation) still splits, and the chunks
    /// do not depend on the thread count, so neither do the results.
    /// </summary>
    private static void ForChunks(int batch, int length, int threads, Action<int, int, int> body)
    {
        var chunks = Chunks(length);
        void Item(int i)
        {
            var t0 = i % chunks * Chunk;
            body(i / chunks, t0, Math.Min(length, t0 + Chunk));
        }

        KernelThreads.For(batch * chunks, threads, Item);
    }

    private static int Chunks(int length) => Math.Max(1, (length + Chunk - 1) / Chunk);

    private static float[] Pack(Tensor w, bool transpose)
    {
        // w [O, C, K] -> [C][K][O] (forward) or [O][K][C] (transposed).
        var (o, c, k) = ((int)w.size(0), (int)w.size(1), (int)w.size(2));
        var source = Floats(w);
        var packed = new float[o * c * k];
        for (var oi = 0; oi < o; oi++)
        {
            for (var ci = 0; ci < c; ci++)
            {
                for (var j = 0; j < k; j++)
                {
                    var v = source[(((oi * c) + ci) * k) + j];
                    packed[transpose ? (((oi * k) + j) * c) + ci : (((ci * k) + j) * o) + oi] = v;
                }
            }
        }

        return packed;
    }

    /// <summary>
    /// dst[p, t] = init[p] + sum_q sum_{j in [jLo, jHi)} wt[q][j][p] src[q, t + off[j]] for t in [t0, t1).
    /// </summary>
    private static void Rows(RowArgs args, int t0, int t1)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            t0 = Rows<V512, Vector512<float>>(args, t0, t1);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            t0 = Rows<V256, Vector256<float>>(args, t0, t1);
        }

        Rows<V1, float>(args, t0, t1);
    }

    /// <summary>
    /// dst[p, t] = init[p] + sum_q sum_{j in [JLo, JHi)} wt[q][j][p] src[q, t + off[j]]: the rows and weights one call
    /// of the kernel reads.
    /// </summary>
    private readonly struct RowArgs(
        float* src,
        int srcStride,
        int q,
        float* dst,
        int dstStride,
        int p,
        float* wt,
        int k,
        int* off,
        int jLo,
        int jHi,
        float* init
    )
    {
        public readonly float* Src = src;
        public readonly int SrcStride = srcStride;
        public readonly int Q = q;
        public readonly float* Dst = dst;
        public readonly int DstStride = dstStride;
        public readonly int P = p;
        public readonly float* Wt = wt;
        public readonly int K = k;
        public readonly int* Off = off;
        public readonly int JLo = jLo;
        public readonly int JHi = jHi;
        public readonly float* Init = init;
    }

    /// <summary>Runs the vector kernel over the whole vectors of [t0, t1); returns where it stopped.</summary>
    // Compiled optimised at once (here and on the other vector loops): tier-0 code of these generic vector loops is
    // many times slower, and the first epoch would run on it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Rows<TOps, TV>(RowArgs a, int t0, int t1)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var step = 2 * width;
        var end2 = t0 + ((t1 - t0) / step * step);
        var end1 = t0 + ((t1 - t0) / width * width);
        var p = 0;
        for (; p + 8 <= a.P; p += 8)
        {
            var t = t0;
            for (; t < end2; t += step)
            {
                Block8x2<TOps, TV>(a, p, t);
            }

            for (; t < end1; t += width)
            {
                for (var pi = p; pi < p + 8; pi++)
                {
                    Block1<TOps, TV>(a, pi, t);
                }
            }
        }

        for (; p < a.P; p++)
        {
            for (var t = t0; t < end1; t += width)
            {
                Block1<TOps, TV>(a, p, t);
            }
        }

        return end1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8x2<TOps, TV>(RowArgs a, int p, int t)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var init = a.Init + p;
        var a00 = TOps.Broadcast(init[0]);
        var a10 = TOps.Broadcast(init[1]);
        var a20 = TOps.Broadcast(init[2]);
        var a30 = TOps.Broadcast(init[3]);
        var a40 = TOps.Broadcast(init[4]);
        var a50 = TOps.Broadcast(init[5]);
        var a60 = TOps.Broadcast(init[6]);
        var a70 = TOps.Broadcast(init[7]);
        var (a01, a11, a21, a31, a41, a51, a61, a71) = (a00, a10, a20, a30, a40, a50, a60, a70);
        var width = TOps.Width;
        for (var qi = 0; qi < a.Q; qi++)
        {
            var row = a.Src + ((long)qi * a.SrcStride) + t;
            for (var j = a.JLo; j < a.JHi; j++)
            {
                var x0 = TOps.Load(row + a.Off[j]);
                var x1 = TOps.Load(row + a.Off[j] + width);
                var w = a.Wt + (((qi * a.K) + j) * a.P) + p;
                var wv = TOps.Broadcast(w[0]);
                a00 = TOps.Fma(x0, wv, a00);
                a01 = TOps.Fma(x1, wv, a01);
                wv = TOps.Broadcast(w[1]);
                a10 = TOps.Fma(x0, wv, a10);
                a11 = TOps.Fma(x1, wv, a11);
                wv = TOps.Broadcast(w[2]);
                a20 = TOps.Fma(x0, wv, a20);
                a21 = TOps.Fma(x1, wv, a21);
                wv = TOps.Broadcast(w[3]);
                a30 = TOps.Fma(x0, wv, a30);
                a31 = TOps.Fma(x1, wv, a31);
                wv = TOps.Broadcast(w[4]);
                a40 = TOps.Fma(x0, wv, a40);
                a41 = TOps.Fma(x1, wv, a41);
                wv = TOps.Broadcast(w[5]);
                a50 = TOps.Fma(x0, wv, a50);
                a51 = TOps.Fma(x1, wv, a51);
                wv = TOps.Broadcast(w[6]);
                a60 = TOps.Fma(x0, wv, a60);
                a61 = TOps.Fma(x1, wv, a61);
                wv = TOps.Broadcast(w[7]);
                a70 = TOps.Fma(x0, wv, a70);
                a71 = TOps.Fma(x1, wv, a71);
            }
        }

        var d = a.Dst + ((long)p * a.DstStride) + t;
        var s = (long)a.DstStride;
        TOps.Store(d, a00);
        TOps.Store(d + width, a01);
        TOps.Store(d + s, a10);
        TOps.Store(d + s + width, a11);
        TOps.Store(d + (2 * s), a20);
        TOps.Store(d + (2 * s) + width, a21);
        TOps.Store(d + (3 * s), a30);
        TOps.Store(d + (3 * s) + width, a31);
        TOps.Store(d + (4 * s), a40);
        TOps.Store(d + (4 * s) + width, a41);
        TOps.Store(d + (5 * s), a50);
        TOps.Store(d + (5 * s) + width, a51);
        TOps.Store(d + (6 * s), a60);
        TOps.Store(d + (6 * s) + width, a61);
        TOps.Store(d + (7 * s), a70);
        TOps.Store(d + (7 * s) + width, a71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1<TOps, TV>(RowArgs a, int p, int t)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var acc = TOps.Broadcast(a.Init[p]);
        for (var qi = 0; qi < a.Q; qi++)
        {
            var row = a.Src + ((long)qi * a.SrcStride) + t;
            for (var j = a.JLo; j < a.JHi; j++)
            {
                acc = TOps.Fma(TOps.Load(row + a.Off[j]), TOps.Broadcast(a.Wt[(((qi * a.K) + j) * a.P) + p]), acc);
            }
        }

        TOps.Store(a.Dst + ((long)p * a.DstStride) + t, acc);
    }

    /// <summary>out[i * |B| + j] = sum_t A_i[t] B_j[t] over length samples.</summary>
    private static void Dots(nint[] rowsA, nint[] rowsB, int length, float* result)
    {
        var nb = rowsB.Length;
        var i = 0;
        for (; i + 4 <= rowsA.Length; i += 4)
        {
            var j = 0;
            for (; j + 4 <= nb; j += 4)
            {
                Dot4x4(rowsA, i, rowsB, j, length, result, nb);
            }

            for (; j < nb; j++)
            {
                for (var ii = i; ii < i + 4; ii++)
                {
                    result[(ii * nb) + j] = Dot((float*)rowsA[ii], (float*)rowsB[j], length);
                }
            }
        }

        for (; i < rowsA.Length; i++)
        {
            for (var j = 0; j < nb; j++)
            {
                result[(i * nb) + j] = Dot((float*)rowsA[i], (float*)rowsB[j], length);
            }
        }
    }

    private static void Dot4x4(nint[] rowsA, int i, nint[] rowsB, int j, int length, float* result, int nb)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Dot4x4<V512, Vector512<float>>(rowsA, i, rowsB, j, length, result, nb);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Dot4x4<V256, Vector256<float>>(rowsA, i, rowsB, j, length, result, nb);
        }
        else
        {
            Dot4x4<V1, float>(rowsA, i, rowsB, j, length, result, nb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x4<TOps, TV>(nint[] rowsA, int i, nint[] rowsB, int j, int length, float* result, int nb)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var p0 = (float*)rowsA[i];
        var p1 = (float*)rowsA[i + 1];
        var p2 = (float*)rowsA[i + 2];
        var p3 = (float*)rowsA[i + 3];
        var q0 = (float*)rowsB[j];
        var q1 = (float*)rowsB[j + 1];
        var q2 = (float*)rowsB[j + 2];
        var q3 = (float*)rowsB[j + 3];
        var zero = TOps.Broadcast(0);
        var (c00, c01, c02, c03, c10, c11, c12, c13) = (zero, zero, zero, zero, zero, zero, zero, zero);
        var (c20, c21, c22, c23, c30, c31, c32, c33) = (zero, zero, zero, zero, zero, zero, zero, zero);
        var width = TOps.Width;
        var end = length / width * width;
        for (var t = 0; t < end; t += width)
        {
            var b0 = TOps.Load(q0 + t);
            var b1 = TOps.Load(q1 + t);
            var b2 = TOps.Load(q2 + t);
            var b3 = TOps.Load(q3 + t);
            var x = TOps.Load(p0 + t);
            c00 = TOps.Fma(x, b0, c00);
            c01 = TOps.Fma(x, b1, c01);
            c02 = TOps.Fma(x, b2, c02);
            c03 = TOps.Fma(x, b3, c03);
            x = TOps.Load(p1 + t);
            c10 = TOps.Fma(x, b0, c10);
            c11 = TOps.Fma(x, b1, c11);
            c12 = TOps.Fma(x, b2, c12);
            c13 = TOps.Fma(x, b3, c13);
            x = TOps.Load(p2 + t);
            c20 = TOps.Fma(x, b0, c20);
            c21 = TOps.Fma(x, b1, c21);
            c22 = TOps.Fma(x, b2, c22);
            c23 = TOps.Fma(x, b3, c23);
            x = TOps.Load(p3 + t);
            c30 = TOps.Fma(x, b0, c30);
            c31 = TOps.Fma(x, b1, c31);
            c32 = TOps.Fma(x, b2, c32);
            c33 = TOps.Fma(x, b3, c33);
        }

        float Tail(float* a, float* b)
        {
            var s = 0f;
            for (var t = end; t < length; t++)
            {
                s = MathF.FusedMultiplyAdd(a[t], b[t], s);
            }

            return s;
        }

        result[(i * nb) + j] = TOps.Sum(c00) + Tail(p0, q0);
        result[(i * nb) + j + 1] = TOps.Sum(c01) + Tail(p0, q1);
        result[(i * nb) + j + 2] = TOps.Sum(c02) + Tail(p0, q2);
        result[(i * nb) + j + 3] = TOps.Sum(c03) + Tail(p0, q3);
        result[((i + 1) * nb) + j] = TOps.Sum(c10) + Tail(p1, q0);
        result[((i + 1) * nb) + j + 1] = TOps.Sum(c11) + Tail(p1, q1);
        result[((i + 1) * nb) + j + 2] = TOps.Sum(c12) + Tail(p1, q2);
        result[((i + 1) * nb) + j + 3] = TOps.Sum(c13) + Tail(p1, q3);
        result[((i + 2) * nb) + j] = TOps.Sum(c20) + Tail(p2, q0);
        result[((i + 2) * nb) + j + 1] = TOps.Sum(c21) + Tail(p2, q1);
        result[((i + 2) * nb) + j + 2] = TOps.Sum(c22) + Tail(p2, q2);
        result[((i + 2) * nb) + j + 3] = TOps.Sum(c23) + Tail(p2, q3);
        result[((i + 3) * nb) + j] = TOps.Sum(c30) + Tail(p3, q0);
        result[((i + 3) * nb) + j + 1] = TOps.Sum(c31) + Tail(p3, q1);
        result[((i + 3) * nb) + j + 2] = TOps.Sum(c32) + Tail(p3, q2);
        result[((i + 3) * nb) + j + 3] = TOps.Sum(c33) + Tail(p3, q3);
    }

    private static float Dot(float* a, float* b, int length)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Dot<V512, Vector512<float>>(a, b, length);
        }

        return Vector256.IsHardwareAccelerated
            ? Dot<V256, Vector256<float>>(a, b, length)
            : Dot<V1, float>(a, b, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot<TOps, TV>(float* a, float* b, int length)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var acc = TOps.Broadcast(0);
        var width = TOps.Width;
        var end = length / width * width;
        for (var t = 0; t < end; t += width)
        {
            acc = TOps.Fma(TOps.Load(a + t), TOps.Load(b + t), acc);
        }

        var s = TOps.Sum(acc);
        for (var t = end; t < length; t++)
        {
            s = MathF.FusedMultiplyAdd(a[t], b[t], s);
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(float* a, int length)
    {
        var s = 0f;
        var acc = Vector256<float>.Zero;
        var end = length / 8 * 8;
        for (var t = 0; t < end; t += 8)
        {
            acc += Vector256.Load(a + t);
        }

        s = Vector256.Sum(acc);
        for (var t = end; t < length; t++)
        {
            s += a[t];
        }

        return s;
    }
}

/// <summary>
/// <see cref="SimdConv1d"/> as a TorchSharp autograd function: apply(x, w, bias or null, dilation, threads); what it
/// saves and releases as <see cref="SimdConvAutograd"/> says.
/// </summary>
internal sealed class SimdConv1dFunction : torch.autograd.SingleTensorFunction<SimdConv1dFunction>
{
    public override string Name => "NsmtSimdConv1d";

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, w, bias) = ((Tensor)vars[0], (Tensor)vars[1], vars[2] as Tensor);
        var (dilation, threads) = ((int)vars[3], (int)vars[4]);
        var dense = SimdConvAutograd.Save(ctx, x, w, bias, threads);
        ctx.save_data("dilation", dilation);
        return SimdConv1d.Forward(dense, w, bias, dilation, threads);
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        var dilation = (int)ctx.get_data("dilation");
        return SimdConvAutograd.Backward(ctx, grad_output, 2, (gy, x, w, threads, inputGrad) =>
        {
            var gx = inputGrad ? SimdConv1d.InputGrad(gy, w, dilation, threads) : null;
            var (weight, bias) = SimdConv1d.WeightGrad(gy, x, (int)w.size(2), dilation, threads);
            return (gx, weight, bias);
        });
    }
}
