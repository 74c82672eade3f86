using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static Nsmt.Neural.Kernels.KernelMemory;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// 2x2 max pooling with stride 2 (no padding, dilation 1, floor mode) of float32 CPU [B, C, H, W] tensors, forward and
/// input gradient, written with .NET SIMD. Where oneDNN is off (issue 29) libtorch's own CPU max pool took 12-14 % of a
/// cnn_tiny epoch, more than the SIMD convs beside it; this kernel takes 8-13x less CPU time per pool at SimpleCnn's
/// shapes (bench/train-parity/RESULTS.md). The width is vectorised: two row vectors of each input row are
/// split into even and odd columns, so one vector of outputs is the max of four vectors (the window's four taps). Each
/// output is the element libtorch's cpu_max_pool picks, bit for bit: the taps are scanned in its order (0,0), (0,1),
/// (1,0), (1,1) and a later one is taken where it is greater or NaN (so the first of tied maxima, the last NaN). The
/// backward pass repeats the comparisons on the saved input instead of storing an argmax (the input is kept alive by the
/// layer before anyway, as libtorch's pool keeps it as well as its int64 indices) and writes the output gradient to the
/// chosen tap and zero to the other three; an odd last row or column, which floor mode drops, gets zero. Planes (batch x
/// channel) are independent and split into fixed ranges, so results do not depend on the thread count.
/// </summary>
public static unsafe class SimdMaxPool2d
{
    /// <summary>The vector width the kernel runs at on this CPU for outputs at least that wide (narrower rows use less).</summary>
    public static string VectorWidth => KernelMemory.VectorWidth;

    /// <summary>Whether the kernel pools this input: float32 on the CPU, [B, C, H, W] with H and W at least 2.</summary>
    public static bool Serves(Tensor input) =>
        input.device_type == DeviceType.CPU
        && input.dtype == ScalarType.Float32
        && input.dim() == 4
        && input.size(2) >= 2
        && input.size(3) >= 2;

    /// <summary>
    /// max_pool2d(<paramref name="input"/>, 2) (stride 2, floor mode) with autograd, on torch's intra-op thread count.
    /// Only where <see cref="Serves"/>.
    /// </summary>
    public static Tensor Apply(Tensor input)
    {
        if (!Serves(input))
        {
            throw new ArgumentException(
                $"SimdMaxPool2d pools float32 CPU tensors [B, C, H >= 2, W >= 2]; got {input.dtype} {string.Join('x', input.shape)} on {input.device_type}"
            );
        }

        return SimdMaxPool2dFunction.apply(input, get_num_threads());
    }

    /// <summary>
    /// <paramref name="pool"/> on <paramref name="input"/>: by this kernel where <paramref name="enabled"/>, the module is
    /// a 2x2 pool with stride 2, no padding, dilation 1 and floor mode, and the kernel serves the input; by the module
    /// otherwise. A module with forward hooks (diagrams, probes) is always called, so observers see it run.
    /// </summary>
    public static Tensor Call(TorchSharp.Modules.MaxPool2d pool, Tensor input, bool enabled) =>
        enabled && !pool.HasForwardHooks && Serves(pool, input) ? Apply(input) : pool.call(input);

    /// <summary>Whether the kernel computes <paramref name="pool"/> on <paramref name="input"/> (see <see cref="Call"/>).</summary>
    public static bool Serves(TorchSharp.Modules.MaxPool2d pool, Tensor input) =>
        Pair(pool.kernel_size, 0) is (2, 2)
        && Pair(pool.stride, 2) is (2, 2)
        && Pair(pool.padding, 0) is (0, 0)
        && Pair(pool.dilation, 1) is (1, 1)
        && !pool.ceil_mode
        && Serves(input);

    // A module's per-dimension setting: null or empty is the default, one value is both dimensions.
    private static (long, long)? Pair(long[]? values, long unset) =>
        values switch
        {
            null or [] => (unset, unset),
            [var v] => (v, v),
            [var h, var w] => (h, w),
            _ => null,
        };

    /// <summary>Forward: x [B, C, H, W] contiguous -> [B, C, H / 2, W / 2].</summary>
    internal static Tensor Forward(Tensor x, int threads)
    {
        var plane = new Plane((int)x.size(2), (int)x.size(3));
        var y = empty([x.size(0), x.size(1), plane.OutHeight, plane.OutWidth], ScalarType.Float32);
        Run(Pointer(x), Pointer(y), null, (int)(x.size(0) * x.size(1)), plane, threads);
        return y;
    }

    /// <summary>Input gradient: gy [B, C, H / 2, W / 2] contiguous and the forward's input x -> [B, C, H, W].</summary>
    internal static Tensor InputGrad(Tensor gy, Tensor x, int threads)
    {
        var plane = new Plane((int)x.size(2), (int)x.size(3));
        // Every input of a window is written; only the row and column that floor mode drops are not.
        var gx = plane.Height % 2 == 0 && plane.Width % 2 == 0 ? empty(x.shape) : zeros(x.shape);
        Run(Pointer(x), Pointer(gy), Pointer(gx), (int)(x.size(0) * x.size(1)), plane, threads);
        return gx;
    }

    /// <summary>The input plane's height and width and the pooled plane's.</summary>
    private readonly record struct Plane(int Height, int Width)
    {
        public int OutHeight => Height / 2;

        public int OutWidth => Width / 2;
    }

    // Forward where gx is null (y = out), backward otherwise (gy = out, written into gx): the planes split into up to
    // `threads` fixed ranges.
    private static void Run(float* x, float* output, float* gx, int planes, Plane plane, int threads)
    {
        var parts = Math.Max(1, Math.Min(threads, planes));
        void Part(int part)
        {
            var (first, end) = ((int)((long)planes * part / parts), (int)((long)planes * (part + 1) / parts));
            Planes(x, output, gx, first, end, plane);
        }

        KernelThreads.For(parts, parts, Part);
    }

    // The widest vector whose width fits the output rows (an overlapping last vector covers a row's remainder).
    private static void Planes(float* x, float* output, float* gx, int first, int end, Plane plane)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && plane.OutWidth >= Vector512<float>.Count)
        {
            Planes<V512, Vector512<float>>(x, output, gx, first, end, plane);
        }
        else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported && plane.OutWidth >= Vector256<float>.Count)
        {
            Planes<V256, Vector256<float>>(x, output, gx, first, end, plane);
        }
        else
        {
            Planes<V1, float>(x, output, gx, first, end, plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Planes<TOps, TV>(float* x, float* output, float* gx, int first, int end, Plane plane)
        where TOps : struct, IPoolVec<TV>
        where TV : struct
    {
        var (height, width, outHeight, outWidth) = (plane.Height, plane.Width, plane.OutHeight, plane.OutWidth);
        var vector = TOps.Width;
        var zero = TOps.Zero;
        for (var p = first; p < end; p++)
        {
            var xp = x + ((long)p * height * width);
            var op = output + ((long)p * outHeight * outWidth);
            var gp = gx == null ? null : gx + ((long)p * height * width);
            for (var i = 0; i < outHeight; i++)
            {
                var row0 = xp + (2 * i * width);
                var row1 = row0 + width;
                var orow = op + (i * outWidth);
                for (var j0 = 0; j0 < outWidth; j0 += vector)
                {
                    // The last vector of a row overlaps the one before where the row is not whole vectors: it
                    // recomputes (and rewrites) the same values.
                    var j = Math.Min(j0, outWidth - vector);
                    var (t00, t01) = TOps.Deinterleave(TOps.Load(row0 + (2 * j)), TOps.Load(row0 + (2 * j) + vector));
                    var (t10, t11) = TOps.Deinterleave(TOps.Load(row1 + (2 * j)), TOps.Load(row1 + (2 * j) + vector));
                    var max = t00;
                    var take01 = TOps.Takes(max, t01);
                    max = TOps.Select(take01, t01, max);
                    var take10 = TOps.Takes(max, t10);
                    max = TOps.Select(take10, t10, max);
                    var take11 = TOps.Takes(max, t11);
                    if (gp == null)
                    {
                        TOps.Store(orow + j, TOps.Select(take11, t11, max));
                        continue;
                    }

                    // The gradient goes to the last tap taken.
                    var g = TOps.Load(orow + j);
                    var g11 = TOps.Select(take11, g, zero);
                    g = TOps.Select(take11, zero, g);
                    var g10 = TOps.Select(take10, g, zero);
                    g = TOps.Select(take10, zero, g);
                    var g01 = TOps.Select(take01, g, zero);
                    var g00 = TOps.Select(take01, zero, g);
                    var grow0 = gp + (2 * i * width) + (2 * j);
                    var grow1 = grow0 + width;
                    var (a, b) = TOps.Interleave(g00, g01);
                    TOps.Store(grow0, a);
                    TOps.Store(grow0 + vector, b);
                    (a, b) = TOps.Interleave(g10, g11);
                    TOps.Store(grow1, a);
                    TOps.Store(grow1 + vector, b);
                }
            }
        }
    }
}

/// <summary>
/// <see cref="SimdMaxPool2d"/> as a TorchSharp autograd function: apply(x, threads). Forward saves x (dense); backward
/// repeats the comparisons on it; what backward returns is released as <see cref="SimdConvAutograd"/> says.
/// </summary>
internal sealed class SimdMaxPool2dFunction : torch.autograd.SingleTensorFunction<SimdMaxPool2dFunction>
{
    public override string Name => "NsmtSimdMaxPool2d";

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var threads = (int)vars[1];
        var dense = x.is_contiguous() ? x : x.contiguous();
        ctx.save_for_backward([dense]);
        ctx.save_data("threads", threads);
        return SimdMaxPool2d.Forward(dense, threads);
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        var x = ctx.get_saved_variables()[0];
        var gy = grad_output.is_contiguous() ? grad_output : grad_output.contiguous();
        var gx = SimdMaxPool2d.InputGrad(gy, x, (int)ctx.get_data("threads"));
        if (!ReferenceEquals(gy, grad_output))
        {
            gy.Dispose();
        }

        grad_output.Dispose();
        x.Dispose();
        SimdConvAutograd.HoldUntilNextBackward(gx);
        return [gx, null!];
    }
}
