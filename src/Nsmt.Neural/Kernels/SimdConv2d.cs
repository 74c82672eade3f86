using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static Nsmt.Neural.Kernels.KernelMemory;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// A zero-padded, stride-1 float32 conv2d on the CPU written with .NET SIMD, forward and all three gradients, without
/// im2col buffers: y[b, o, h, w] = bias[o] + sum_c sum_i sum_j w[o, c, i, j] x[b, c, h + i - ph, w + j - pw]. Where
/// oneDNN is off (issue 29: libtorch 2.10's oneDNN computes wrong float32 convolutions on AMD Zen 5) libtorch unfolds
/// such a conv into im2col columns and an MKL GEMM, which is slow for the spectral CNNs' small images and channel counts:
/// this kernel took 2.2-5.3x less CPU time for SimpleCnn's second convs forward and backward, 1.2-1.5x for its
/// one-channel first ones (bench/train-parity/RESULTS.md). The width is vectorised (Vector512, else Vector256, else scalar: one generic kernel):
/// each batch item's input is copied into a small per-thread buffer with its zero border (rows rounded up to the vector
/// width), and a register block of 8 output channels x 3 output rows of accumulators adds, for every (input channel,
/// tap), 3 loaded row vectors times 8 broadcast weights. The input gradient is the same kernel over the output gradient
/// with the transposed, flipped weights and padding k - 1 - p. The weight gradient is dot products over batch items and
/// positions of 8 output-gradient rows by 3 shifted input rows at a time, carried in registers across a fixed group of
/// batch items so that their horizontal sums are few. Work is split into batch items (and fixed groups of them for the
/// weight and bias gradients, summed in order), so results do not depend on the thread count.
/// </summary>
public static unsafe class SimdConv2d
{
    // Output channels x output rows of accumulators in the forward block: 24 registers of AVX-512's 32 (with AVX2's 16
    // some spill: correct, slower).
    private const int BlockChannels = 8;
    private const int BlockRows = 3;

    // Output-gradient channels x input taps per weight-gradient block (24 accumulators).
    private const int GradRows = 8;
    private const int GradTaps = 3;

    // Batch items whose weight-gradient sums stay in vector registers before one horizontal sum: fixed, so the order
    // of additions does not depend on the thread count.
    private const int GroupItems = 8;

    /// <summary>The vector width the kernel runs at on this CPU.</summary>
    public static string VectorWidth => KernelMemory.VectorWidth;

    /// <summary>
    /// Whether the kernel computes this conv: float32 on the CPU, [B, C, H, W] by [O, C, Kh, Kw], zero padding of
    /// 0 to K - 1 per side in each dimension, and an output of at least one pixel.
    /// </summary>
    public static bool Serves(Tensor input, Tensor weight, long paddingHeight, long paddingWidth) =>
        input.device_type == DeviceType.CPU
        && weight.device_type == DeviceType.CPU
        && input.dtype == ScalarType.Float32
        && weight.dtype == ScalarType.Float32
        && input.dim() == 4
        && weight.dim() == 4
        && weight.size(1) == input.size(1)
        && paddingHeight >= 0
        && paddingWidth >= 0
        && paddingHeight < weight.size(2)
        && paddingWidth < weight.size(3)
        && input.size(2) + (2 * paddingHeight) >= weight.size(2)
        && input.size(3) + (2 * paddingWidth) >= weight.size(3);

    /// <summary>
    /// conv2d(<paramref name="input"/>, <paramref name="weight"/>, <paramref name="bias"/>, padding) with autograd, on
    /// torch's intra-op thread count. Only where <see cref="Serves"/>.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, long paddingHeight, long paddingWidth)
    {
        if (!Serves(input, weight, paddingHeight, paddingWidth))
        {
            throw new ArgumentException(
                $"SimdConv2d computes float32 CPU convs [B, C, H, W] x [O, C, Kh, Kw] with padding 0 to K - 1; got {string.Join('x', input.shape)} x {string.Join('x', weight.shape)}, padding {paddingHeight}x{paddingWidth}"
            );
        }

        return SimdConv2dFunction.apply(input, weight, bias, (int)paddingHeight, (int)paddingWidth, get_num_threads());
    }

    /// <summary>
    /// <paramref name="conv"/> on <paramref name="input"/>: by this kernel where <paramref name="enabled"/>, the module
    /// computes what the kernel does (stride 1, dilation 1, one group, zero padding of at most K - 1, its own) and the
    /// kernel serves the shapes, by the module otherwise. A module with forward hooks (diagrams, probes) is always
    /// called, so observers see it run.
    /// </summary>
    public static Tensor Call(TorchSharp.Modules.Conv2d conv, Tensor input, bool enabled) =>
        enabled && !conv.HasForwardHooks && Serves(conv, input) && ServedPadding(conv) is var (ph, pw)
            ? Apply(input, conv.weight!, conv.bias, ph, pw)
            : conv.call(input);

    /// <summary>
    /// Whether the kernel computes <paramref name="conv"/> on <paramref name="input"/>: the module's geometry is the
    /// kernel's (stride 1, dilation 1, one group, zero padding of at most K - 1), it is wider than 1x1 and the kernel
    /// serves the shapes.
    /// </summary>
    /// <remarks>1x1 convs stay on libtorch, which runs them as one GEMM without unfolding.</remarks>
    public static bool Serves(TorchSharp.Modules.Conv2d conv, Tensor input) =>
        conv.kernel_size.Any(k => k > 1) && ServedPadding(conv) is var (ph, pw) && Serves(input, conv.weight!, ph, pw);

    // The padding of a module whose geometry the kernel computes; null for one strided, dilated, grouped, transposed,
    // not zero-padded or 'same'-padded with an even kernel (asymmetric), which libtorch keeps.
    private static (long Height, long Width)? ServedPadding(TorchSharp.Modules.Conv2d conv)
    {
        if (
            conv.transposed
            || conv.groups != 1
            || !conv.stride.All(s => s == 1)
            || !conv.dilation.All(d => d == 1)
            || conv.padding_mode != PaddingModes.Zeros
        )
        {
            return null;
        }

        var (kh, kw) = (conv.kernel_size[0], conv.kernel_size[1]);
        return conv.padding_type switch
        {
            TorchSharp.Padding.Valid => (0, 0),
            TorchSharp.Padding.Same when kh % 2 == 1 && kw % 2 == 1 => ((kh - 1) / 2, (kw - 1) / 2),
            null when conv.padding is { Length: 2 } p => (p[0], p[1]),
            null when conv.padding is null or [] => (0, 0),
            _ => null,
        };
    }

    /// <summary>Forward: x [B, C, H, W], w [O, C, Kh, Kw], bias [O] or null -> [B, O, Ho, Wo].</summary>
    internal static Tensor Forward(Tensor x, Tensor w, Tensor? bias, int ph, int pw, int threads)
    {
        var (o, c, kh, kw) = ((int)w.size(0), (int)w.size(1), (int)w.size(2), (int)w.size(3));
        var (height, width) = ((int)x.size(2), (int)x.size(3));
        var plane = new Plane(c, height, width, ph, pw, kh, kw, o);
        var y = empty([x.size(0), o, plane.OutHeight, plane.OutWidth], ScalarType.Float32);
        var init = new float[RoundUp(o, BlockChannels)];
        if (bias is not null)
        {
            Floats(bias).CopyTo(init, 0);
        }

        Planes(Pointer(x), Pointer(y), (int)x.size(0), plane, Pack(w, transposed: false), init, threads);
        return y;
    }

    /// <summary>Input gradient: gy [B, O, Ho, Wo] -> [B, C, H, W], the transposed conv (flipped taps, padding K - 1 - p).</summary>
    internal static Tensor InputGrad(Tensor gy, Tensor w, int ph, int pw, int threads)
    {
        var (o, c, kh, kw) = ((int)w.size(0), (int)w.size(1), (int)w.size(2), (int)w.size(3));
        var plane = new Plane(o, (int)gy.size(2), (int)gy.size(3), kh - 1 - ph, kw - 1 - pw, kh, kw, c);
        var gx = empty([gy.size(0), c, plane.OutHeight, plane.OutWidth], ScalarType.Float32);
        var init = new float[RoundUp(c, BlockChannels)];
        Planes(Pointer(gy), Pointer(gx), (int)gy.size(0), plane, Pack(w, transposed: true), init, threads);
        return gx;
    }

    /// <summary>
    /// Weight and bias gradients: sums over batch items and positions of gy[o, h, w] x[c, h + i - ph, w + j - pw] and of
    /// gy[o, h, w], as [O][C][Kh][Kw] and [O].
    /// </summary>
    internal static (float[] Weight, float[] Bias) WeightGrad(
        Tensor gy,
        Tensor x,
        int kh,
        int kw,
        int ph,
        int pw,
        int threads
    )
    {
        var (batch, o) = ((int)gy.size(0), (int)gy.size(1));
        var (c, height, width) = ((int)x.size(1), (int)x.size(2), (int)x.size(3));
        var plane = new Plane(c, height, width, ph, pw, kh, kw, o);
        var taps = c * kh * kw;
        var size = (o * taps) + o;
        var groups = (batch + GroupItems - 1) / GroupItems;
        var partials = new float[groups * size];
        var xp = Pointer(x);
        var gyp = Pointer(gy);
        KernelThreads.For(groups, threads, group =>
        {
            var first = group * GroupItems;
            var items = Math.Min(GroupItems, batch - first);
            fixed (float* result = &partials[group * size])
            {
                GroupWeightGrad(xp, gyp, first, items, plane, result);
            }
        });

        var sum = KernelThreads.SumInOrder(partials, groups, size);
        return (sum[..(o * taps)], sum[(o * taps)..]);
    }

    /// <summary>
    /// The geometry of one conv as the kernel sees it: <see cref="Inputs"/> planes of <see cref="Height"/> x
    /// <see cref="Width"/> padded by <see cref="PadHeight"/>, <see cref="PadWidth"/>, taps Kh x Kw, <see cref="Outputs"/>
    /// output planes; and the per-thread buffer that holds one item's input with its border: rows of
    /// <see cref="Stride"/> floats (the output width rounded up to whole vectors, plus Kw - 1), <see cref="PaddedHeight"/>
    /// rows (the output height rounded up to whole row blocks, plus Kh - 1), so that every vector the kernel loads lies
    /// inside it and what it computes past the output's edge is discarded.
    /// </summary>
    private readonly record struct Plane(
        int Inputs,
        int Height,
        int Width,
        int PadHeight,
        int PadWidth,
        int Kh,
        int Kw,
        int Outputs
    )
    {
        public int OutHeight => Height + (2 * PadHeight) - Kh + 1;

        public int OutWidth => Width + (2 * PadWidth) - Kw + 1;

        /// <summary>The output width rounded up to whole vectors: what the kernel computes per row.</summary>
        public int RowFloats => RoundUp(OutWidth, VectorFloats);

        public int Stride => RowFloats + Kw - 1;

        public int PaddedHeight => RoundUp(OutHeight, BlockRows) + Kh - 1;

        public int PlaneFloats => PaddedHeight * Stride;

        /// <summary>Copies one item's [Inputs, Height, Width] planes into <paramref name="buffer"/> with a zero border.</summary>
        public void Pad(float* source, float* buffer)
        {
            new Span<float>(buffer, Inputs * PlaneFloats).Clear();
            for (var q = 0; q < Inputs; q++)
            {
                for (var r = 0; r < Height; r++)
                {
                    CopyFloats(
                        source + ((((long)q * Height) + r) * Width),
                        buffer + (q * PlaneFloats) + ((r + PadHeight) * Stride) + PadWidth,
                        Width
                    );
                }
            }
        }
    }

    /// <summary>
    /// dst[b, p] = init[p] + sum_q sum_ij wt[q][i][j][p] padded(src[b, q])[h + i, w + j] for every batch item, one item per
    /// work item.
    /// </summary>
    private static void Planes(
        float* src,
        float* dst,
        int batch,
        Plane plane,
        float[] packed,
        float[] init,
        int threads
    )
    {
        var (outHeight, outWidth, outputs) = (plane.OutHeight, plane.OutWidth, plane.Outputs);
        // Straight into the output tensor where its rows are whole vectors and its channels whole blocks; otherwise
        // through a buffer of rounded rows and blocks, copied out.
        var direct = outWidth == plane.RowFloats && outputs % BlockChannels == 0;
        var bufferedOut = direct ? 0 : RoundUp(outputs, BlockChannels) * outHeight * plane.RowFloats;
        KernelThreads.For(batch, threads, b =>
        {
            var buffer = Scratch.Get((plane.Inputs * plane.PlaneFloats) + bufferedOut);
            fixed (float* bp = buffer)
            fixed (float* wt = packed)
            fixed (float* ip = init)
            {
                plane.Pad(src + ((long)b * plane.Inputs * plane.Height * plane.Width), bp);
                var item = dst + ((long)b * outputs * outHeight * outWidth);
                var target = direct ? item : bp + (plane.Inputs * plane.PlaneFloats);
                var rowStride = direct ? outWidth : plane.RowFloats;
                var args = new BlockArgs(bp, plane, wt, ip, target, outHeight * rowStride, rowStride);
                Blocks(args);
                if (!direct)
                {
                    for (var p = 0; p < outputs; p++)
                    {
                        for (var h = 0; h < outHeight; h++)
                        {
                            CopyFloats(
                                target + (((p * outHeight) + h) * rowStride),
                                item + ((((long)p * outHeight) + h) * outWidth),
                                outWidth
                            );
                        }
                    }
                }
            }
        });
    }

    /// <summary>One item's padded input planes, packed weights [q][i][j][p rounded to 8], bias and output rows.</summary>
    private readonly struct BlockArgs(
        float* padded,
        Plane plane,
        float* weights,
        float* init,
        float* output,
        int channelStride,
        int rowStride
    )
    {
        public readonly float* Padded = padded;
        public readonly Plane Plane = plane;
        public readonly float* Weights = weights;
        public readonly float* Init = init;
        public readonly float* Output = output;
        public readonly int ChannelStride = channelStride;
        public readonly int RowStride = rowStride;
    }

    private static void Blocks(BlockArgs args)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Blocks<V512, Vector512<float>>(args);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Blocks<V256, Vector256<float>>(args);
        }
        else
        {
            Blocks<V1, float>(args);
        }
    }

    // Compiled optimised at once (here and on the other vector loops, too large to be inlined): tier-0 code of these
    // generic vector loops is many times slower, and the first epoch would run on it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks<TOps, TV>(BlockArgs a)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var plane = a.Plane;
        for (var p = 0; p < plane.Outputs; p += BlockChannels)
        {
            for (var h = 0; h < plane.OutHeight; h += BlockRows)
            {
                var rows = Math.Min(BlockRows, plane.OutHeight - h);
                for (var w = 0; w < plane.RowFloats; w += TOps.Width)
                {
                    Block8x3<TOps, TV>(a, p, h, w, rows);
                }
            }
        }
    }

    /// <summary>Output channels p..p+7, rows h..h+2 (the first <paramref name="rows"/> stored), one vector at column w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block8x3<TOps, TV>(BlockArgs a, int p, int h, int w, int rows)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var plane = a.Plane;
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
        var (a02, a12, a22, a32, a42, a52, a62, a72) = (a00, a10, a20, a30, a40, a50, a60, a70);
        var (stride, kh, kw) = (plane.Stride, plane.Kh, plane.Kw);
        var blockStride = RoundUp(plane.Outputs, BlockChannels);
        for (var q = 0; q < plane.Inputs; q++)
        {
            var top = a.Padded + (q * plane.PlaneFloats) + (h * stride) + w;
            var weights = a.Weights + (q * kh * kw * blockStride) + p;
            for (var i = 0; i < kh; i++)
            {
                var row = top + (i * stride);
                for (var j = 0; j < kw; j++)
                {
                    var x0 = TOps.Load(row + j);
                    var x1 = TOps.Load(row + stride + j);
                    var x2 = TOps.Load(row + (2 * stride) + j);
                    var wp = weights + (((i * kw) + j) * blockStride);
                    var wv = TOps.Broadcast(wp[0]);
                    a00 = TOps.Fma(x0, wv, a00);
                    a01 = TOps.Fma(x1, wv, a01);
                    a02 = TOps.Fma(x2, wv, a02);
                    wv = TOps.Broadcast(wp[1]);
                    a10 = TOps.Fma(x0, wv, a10);
                    a11 = TOps.Fma(x1, wv, a11);
                    a12 = TOps.Fma(x2, wv, a12);
                    wv = TOps.Broadcast(wp[2]);
                    a20 = TOps.Fma(x0, wv, a20);
                    a21 = TOps.Fma(x1, wv, a21);
                    a22 = TOps.Fma(x2, wv, a22);
                    wv = TOps.Broadcast(wp[3]);
                    a30 = TOps.Fma(x0, wv, a30);
                    a31 = TOps.Fma(x1, wv, a31);
                    a32 = TOps.Fma(x2, wv, a32);
                    wv = TOps.Broadcast(wp[4]);
                    a40 = TOps.Fma(x0, wv, a40);
                    a41 = TOps.Fma(x1, wv, a41);
                    a42 = TOps.Fma(x2, wv, a42);
                    wv = TOps.Broadcast(wp[5]);
                    a50 = TOps.Fma(x0, wv, a50);
                    a51 = TOps.Fma(x1, wv, a51);
                    a52 = TOps.Fma(x2, wv, a52);
                    wv = TOps.Broadcast(wp[6]);
                    a60 = TOps.Fma(x0, wv, a60);
                    a61 = TOps.Fma(x1, wv, a61);
                    a62 = TOps.Fma(x2, wv, a62);
                    wv = TOps.Broadcast(wp[7]);
                    a70 = TOps.Fma(x0, wv, a70);
                    a71 = TOps.Fma(x1, wv, a71);
                    a72 = TOps.Fma(x2, wv, a72);
                }
            }
        }

        var d = a.Output + ((long)p * a.ChannelStride) + ((long)h * a.RowStride) + w;
        var c = (long)a.ChannelStride;
        TOps.Store(d, a00);
        TOps.Store(d + c, a10);
        TOps.Store(d + (2 * c), a20);
        TOps.Store(d + (3 * c), a30);
        TOps.Store(d + (4 * c), a40);
        TOps.Store(d + (5 * c), a50);
        TOps.Store(d + (6 * c), a60);
        TOps.Store(d + (7 * c), a70);
        if (rows > 1)
        {
            d += a.RowStride;
            TOps.Store(d, a01);
            TOps.Store(d + c, a11);
            TOps.Store(d + (2 * c), a21);
            TOps.Store(d + (3 * c), a31);
            TOps.Store(d + (4 * c), a41);
            TOps.Store(d + (5 * c), a51);
            TOps.Store(d + (6 * c), a61);
            TOps.Store(d + (7 * c), a71);
        }

        if (rows > 2)
        {
            d += a.RowStride;
            TOps.Store(d, a02);
            TOps.Store(d + c, a12);
            TOps.Store(d + (2 * c), a22);
            TOps.Store(d + (3 * c), a32);
            TOps.Store(d + (4 * c), a42);
            TOps.Store(d + (5 * c), a52);
            TOps.Store(d + (6 * c), a62);
            TOps.Store(d + (7 * c), a72);
        }
    }

    /// <summary>
    /// One group's weight and bias gradient sums into <paramref name="result"/> ([O][C][Kh][Kw] then [O]). Every item's
    /// input is padded into one buffer, and the output gradient is repacked as [channel block][item][row][vector][8
    /// channels][vector floats], zero past the output's edge and the last channel, so that a block reads its 8 channels'
    /// vectors from one pointer at fixed offsets and every product past the edge is zero.
    /// </summary>
    private static void GroupWeightGrad(float* x, float* gy, int first, int items, Plane plane, float* result)
    {
        var (outputs, outHeight, outWidth) = (plane.Outputs, plane.OutHeight, plane.OutWidth);
        var inputFloats = plane.Inputs * plane.PlaneFloats;
        var width = VectorFloats;
        var blockFloats = items * outHeight * plane.RowFloats * GradRows;
        var blocks = RoundUp(outputs, GradRows) / GradRows;
        var buffer = Scratch.Get((items * inputFloats) + (blocks * blockFloats));
        fixed (float* bp = buffer)
        {
            var itemFloats = (long)plane.Inputs * plane.Height * plane.Width;
            for (var n = 0; n < items; n++)
            {
                plane.Pad(x + ((first + n) * itemFloats), bp + (n * inputFloats));
            }

            var packed = bp + (items * inputFloats);
            // Zeros past the output's edge and the last channel; where there is no such edge every float is written.
            if (outWidth != plane.RowFloats || outputs % GradRows != 0)
            {
                new Span<float>(packed, blocks * blockFloats).Clear();
            }

            for (var n = 0; n < items; n++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    for (var h = 0; h < outHeight; h++)
                    {
                        var row = gy + ((((long)(first + n) * outputs) + o) * outHeight + h) * outWidth;
                        var to =
                            packed
                            + ((o / GradRows) * blockFloats)
                            + ((((n * outHeight) + h) * plane.RowFloats) * GradRows)
                            + ((o % GradRows) * width);
                        for (var w = 0; w < outWidth; w += width)
                        {
                            CopyFloats(row + w, to + (w * GradRows), Math.Min(width, outWidth - w));
                        }
                    }
                }
            }

            GradBlocks(new GradArgs(packed, blockFloats, bp, inputFloats, plane, items), result);
        }
    }

    /// <summary>
    /// A group's repacked output gradient (<see cref="GroupWeightGrad"/>; floats per channel block) and padded input
    /// (floats per item, geometry), whose products over items and positions the weight-gradient blocks sum.
    /// </summary>
    private readonly struct GradArgs(
        float* grads,
        int blockFloats,
        float* padded,
        int paddedItem,
        Plane plane,
        int items
    )
    {
        public readonly float* Grads = grads;
        public readonly int BlockFloats = blockFloats;
        public readonly float* Padded = padded;
        public readonly int PaddedItem = paddedItem;
        public readonly Plane Plane = plane;
        public readonly int Items = items;
    }

    private static void GradBlocks(GradArgs args, float* result)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            GradBlocks<V512, Vector512<float>>(args, result);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            GradBlocks<V256, Vector256<float>>(args, result);
        }
        else
        {
            GradBlocks<V1, float>(args, result);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradBlocks<TOps, TV>(GradArgs a, float* result)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var plane = a.Plane;
        var (outputs, kh, kw) = (plane.Outputs, plane.Kh, plane.Kw);
        var taps = plane.Inputs * kh * kw;
        // Input tap (c, i, j) in [c][i][j] order, so the sums land at [o][c][i][j]. A block past the last tap reads tap 0
        // again and its sums are not written.
        var tapRows = new int[RoundUp(taps, GradTaps)];
        for (var t = 0; t < taps; t++)
        {
            var (ci, ij) = Math.DivRem(t, kh * kw);
            var (i, j) = Math.DivRem(ij, kw);
            tapRows[t] = (ci * plane.PlaneFloats) + (i * plane.Stride) + j;
        }

        var sums = stackalloc float[GradRows * GradTaps];
        for (var o = 0; o < outputs; o += GradRows)
        {
            var grads = a.Grads + ((o / GradRows) * a.BlockFloats);
            for (var t = 0; t < taps; t += GradTaps)
            {
                Grad8x3<TOps, TV>(a, grads, tapRows[t], tapRows[t + 1], tapRows[t + 2], sums);
                for (var oi = o; oi < Math.Min(outputs, o + GradRows); oi++)
                {
                    for (var ti = t; ti < Math.Min(taps, t + GradTaps); ti++)
                    {
                        result[(oi * taps) + ti] = sums[((oi - o) * GradTaps) + ti - t];
                    }
                }
            }

            for (var oi = o; oi < Math.Min(outputs, o + GradRows); oi++)
            {
                result[(outputs * taps) + oi] = BiasSum<TOps, TV>(a, grads + ((oi - o) * TOps.Width));
            }
        }
    }

    /// <summary>
    /// sums[r * 3 + t] = sum over the group's items and positions of output-gradient channel r of the block at
    /// <paramref name="grads"/> times input tap t (offsets <paramref name="t0"/>..<paramref name="t2"/> in an item).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Grad8x3<TOps, TV>(GradArgs a, float* grads, int t0, int t1, int t2, float* sums)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var zero = TOps.Broadcast(0);
        var (c00, c01, c02, c10, c11, c12, c20, c21, c22) = (zero, zero, zero, zero, zero, zero, zero, zero, zero);
        var (c30, c31, c32, c40, c41, c42, c50, c51, c52) = (zero, zero, zero, zero, zero, zero, zero, zero, zero);
        var (c60, c61, c62, c70, c71, c72) = (zero, zero, zero, zero, zero, zero);
        var plane = a.Plane;
        var (rows, rowFloats, stride) = (plane.OutHeight, plane.RowFloats, plane.Stride);
        var width = TOps.Width;
        var g = grads;
        for (var n = 0; n < a.Items; n++)
        {
            var item = a.Padded + (n * a.PaddedItem);
            for (var h = 0; h < rows; h++)
            {
                var p0 = item + (h * stride) + t0;
                var p1 = item + (h * stride) + t1;
                var p2 = item + (h * stride) + t2;
                for (var w = 0; w < rowFloats; w += width)
                {
                    var x0 = TOps.Load(p0 + w);
                    var x1 = TOps.Load(p1 + w);
                    var x2 = TOps.Load(p2 + w);
                    var gv = TOps.Load(g);
                    c00 = TOps.Fma(gv, x0, c00);
                    c01 = TOps.Fma(gv, x1, c01);
                    c02 = TOps.Fma(gv, x2, c02);
                    gv = TOps.Load(g + width);
                    c10 = TOps.Fma(gv, x0, c10);
                    c11 = TOps.Fma(gv, x1, c11);
                    c12 = TOps.Fma(gv, x2, c12);
                    gv = TOps.Load(g + (2 * width));
                    c20 = TOps.Fma(gv, x0, c20);
                    c21 = TOps.Fma(gv, x1, c21);
                    c22 = TOps.Fma(gv, x2, c22);
                    gv = TOps.Load(g + (3 * width));
                    c30 = TOps.Fma(gv, x0, c30);
                    c31 = TOps.Fma(gv, x1, c31);
                    c32 = TOps.Fma(gv, x2, c32);
                    gv = TOps.Load(g + (4 * width));
                    c40 = TOps.Fma(gv, x0, c40);
                    c41 = TOps.Fma(gv, x1, c41);
                    c42 = TOps.Fma(gv, x2, c42);
                    gv = TOps.Load(g + (5 * width));
                    c50 = TOps.Fma(gv, x0, c50);
                    c51 = TOps.Fma(gv, x1, c51);
                    c52 = TOps.Fma(gv, x2, c52);
                    gv = TOps.Load(g + (6 * width));
                    c60 = TOps.Fma(gv, x0, c60);
                    c61 = TOps.Fma(gv, x1, c61);
                    c62 = TOps.Fma(gv, x2, c62);
                    gv = TOps.Load(g + (7 * width));
                    c70 = TOps.Fma(gv, x0, c70);
                    c71 = TOps.Fma(gv, x1, c71);
                    c72 = TOps.Fma(gv, x2, c72);
                    g += GradRows * width;
                }
            }
        }

        sums[0] = TOps.Sum(c00);
        sums[1] = TOps.Sum(c01);
        sums[2] = TOps.Sum(c02);
        sums[3] = TOps.Sum(c10);
        sums[4] = TOps.Sum(c11);
        sums[5] = TOps.Sum(c12);
        sums[6] = TOps.Sum(c20);
        sums[7] = TOps.Sum(c21);
        sums[8] = TOps.Sum(c22);
        sums[9] = TOps.Sum(c30);
        sums[10] = TOps.Sum(c31);
        sums[11] = TOps.Sum(c32);
        sums[12] = TOps.Sum(c40);
        sums[13] = TOps.Sum(c41);
        sums[14] = TOps.Sum(c42);
        sums[15] = TOps.Sum(c50);
        sums[16] = TOps.Sum(c51);
        sums[17] = TOps.Sum(c52);
        sums[18] = TOps.Sum(c60);
        sums[19] = TOps.Sum(c61);
        sums[20] = TOps.Sum(c62);
        sums[21] = TOps.Sum(c70);
        sums[22] = TOps.Sum(c71);
        sums[23] = TOps.Sum(c72);
    }

    /// <summary>
    /// The sum of one output-gradient channel (its first vector at <paramref name="grads"/> in the repacked block) over the
    /// group's items and positions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float BiasSum<TOps, TV>(GradArgs a, float* grads)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var acc = TOps.Broadcast(0);
        var vectors = a.Items * a.Plane.OutHeight * a.Plane.RowFloats / TOps.Width;
        var one = TOps.Broadcast(1);
        for (var v = 0; v < vectors; v++)
        {
            acc = TOps.Fma(TOps.Load(grads + ((long)v * GradRows * TOps.Width)), one, acc);
        }

        return TOps.Sum(acc);
    }

    private static float[] Pack(Tensor w, bool transposed)
    {
        // w [O, C, Kh, Kw] -> [C][Kh][Kw][O rounded to 8] (forward), or [O][Kh][Kw][C rounded to 8] with the taps flipped
        // (the input gradient's transposed conv); the rounding is zeros, the outputs the last block computes and drops.
        var (o, c, kh, kw) = ((int)w.size(0), (int)w.size(1), (int)w.size(2), (int)w.size(3));
        var source = Floats(w);
        var (inputs, outputs) = transposed ? (o, RoundUp(c, BlockChannels)) : (c, RoundUp(o, BlockChannels));
        var packed = new float[inputs * kh * kw * outputs];
        for (var oi = 0; oi < o; oi++)
        {
            for (var ci = 0; ci < c; ci++)
            {
                for (var i = 0; i < kh; i++)
                {
                    for (var j = 0; j < kw; j++)
                    {
                        var v = source[(((((oi * c) + ci) * kh) + i) * kw) + j];
                        packed[
                            transposed
                                ? (((((oi * kh) + (kh - 1 - i)) * kw) + (kw - 1 - j)) * outputs) + ci
                                : (((((ci * kh) + i) * kw) + j) * outputs) + oi
                        ] = v;
                    }
                }
            }
        }

        return packed;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>A per-thread buffer for one work item's padded planes, grown as needed and kept for the next item.</summary>
    private static class Scratch
    {
        [ThreadStatic]
        private static float[]? Buffer;

        public static float[] Get(int floats)
        {
            if (Buffer is null || Buffer.Length < floats)
            {
                Buffer = GC.AllocateUninitializedArray<float>(floats);
            }

            return Buffer;
        }
    }
}

/// <summary>
/// <see cref="SimdConv2d"/> as a TorchSharp autograd function: apply(x, w, bias or null, padding height, padding width,
/// threads); what it saves and releases as <see cref="SimdConvAutograd"/> says.
/// </summary>
internal sealed class SimdConv2dFunction : torch.autograd.SingleTensorFunction<SimdConv2dFunction>
{
    public override string Name => "NsmtSimdConv2d";

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, bias) = ((Tensor)vars[0], vars[2] as Tensor);
        var w = ((Tensor)vars[1]).is_contiguous() ? (Tensor)vars[1] : ((Tensor)vars[1]).contiguous();
        var (ph, pw, threads) = ((int)vars[3], (int)vars[4], (int)vars[5]);
        var dense = SimdConvAutograd.Save(ctx, x, w, bias, threads);
        ctx.save_data("padding_height", ph);
        ctx.save_data("padding_width", pw);
        return SimdConv2d.Forward(dense, w, bias, ph, pw, threads);
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        var (ph, pw) = ((int)ctx.get_data("padding_height"), (int)ctx.get_data("padding_width"));
        return SimdConvAutograd.Backward(ctx, grad_output, 3, (gy, x, w, threads, inputGrad) =>
        {
            var gx = inputGrad ? SimdConv2d.InputGrad(gy, w, ph, pw, threads) : null;
            var (weight, bias) = SimdConv2d.WeightGrad(gy, x, (int)w.size(2), (int)w.size(3), ph, pw, threads);
            return (gx, weight, bias);
        });
    }
}
