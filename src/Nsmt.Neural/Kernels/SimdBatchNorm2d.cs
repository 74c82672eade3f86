using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static Nsmt.Neural.Kernels.KernelMemory;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// Training-mode batch normalization of float32 CPU [B, C, H, W] tensors with batch statistics, forward and the input,
/// weight and bias gradients, written with .NET SIMD: y = (x - mean) invstd gamma + beta per channel, with the mean and
/// biased variance over B x H x W and invstd = 1 / sqrt(var + eps); the module path also updates the running statistics
/// as libtorch does. Where oneDNN is off (issue 29) libtorch's own CPU batch norm took about a fifth of a cnn_tiny
/// training step (perf, 1 thread), more than the SIMD convs beside it; this kernel takes 1.9-2.4x less CPU time forward +
/// backward at SimpleCnn's shapes and makes its one-epoch training 1.2x faster (bench/train-parity/RESULTS.md).
/// Per channel, forward reads the input three times (the sum; the sum and squares of deviations from the float32 mean,
/// which a two-pass variance needs to stay exact for inputs with a large mean; the normalization) and backward reads it
/// twice with the output gradient (the gradient sums; the input gradient). Sums are taken with float32 vector
/// accumulators over chunks of at most <see cref="ChunkFloats"/> floats and added up in float64. The mean is carried as
/// the float32 rounding of the first pass's (the center the later passes subtract, exactly for values near it) plus the
/// mean of the deviations from it in float64, folded into the per-channel coefficients, so values far from zero lose no
/// precision. A channel's work is done by one thread in a fixed order and
/// channels are independent, so results do not depend on the thread count.
/// </summary>
public static unsafe class SimdBatchNorm2d
{
    // Floats a float32 accumulator sums before it is added to the float64 total: bounds the rounding of a sum whatever
    // the plane size.
    private const int ChunkFloats = 4096;

    /// <summary>The vector width the kernel runs at on this CPU.</summary>
    public static string VectorWidth => KernelMemory.VectorWidth;

    /// <summary>
    /// Whether the kernel normalizes this input: float32 on the CPU, [B, C, H, W] with more than one value per channel
    /// (libtorch refuses one).
    /// </summary>
    public static bool Serves(Tensor input) =>
        input.device_type == DeviceType.CPU
        && input.dtype == ScalarType.Float32
        && input.dim() == 4
        && input.size(0) * input.size(2) * input.size(3) > 1;

    /// <summary>
    /// batch_norm(<paramref name="input"/>, running statistics, <paramref name="weight"/>, <paramref name="bias"/>,
    /// training: true, <paramref name="momentum"/>, <paramref name="eps"/>) with autograd, on torch's intra-op thread
    /// count: normalized by the batch statistics, and where <paramref name="runningMean"/> and
    /// <paramref name="runningVar"/> are given they are updated in place, running = (1 - momentum) running + momentum
    /// batch with the unbiased variance. Only where <see cref="Serves(Tensor)"/>; weight, bias and running statistics
    /// are float32 CPU vectors of C values.
    /// </summary>
    public static Tensor Apply(
        Tensor input,
        Tensor? weight,
        Tensor? bias,
        double eps,
        Tensor? runningMean = null,
        Tensor? runningVar = null,
        double momentum = 0.1
    )
    {
        var channels = input.dim() == 4 ? input.size(1) : -1;
        if (
            !Serves(input)
            || !IsChannelVector(weight, channels)
            || !IsChannelVector(bias, channels)
            || !IsChannelVector(runningMean, channels)
            || !IsChannelVector(runningVar, channels)
            || (runningMean is null) != (runningVar is null)
        )
        {
            throw new ArgumentException(
                $"SimdBatchNorm2d normalizes float32 CPU tensors [B, C, H, W] with B x H x W > 1 by float32 CPU vectors of C values (running mean and variance both or neither); got {input.dtype} {string.Join('x', input.shape)} on {input.device_type}"
            );
        }

        var running = runningMean is null ? null : new RunningStatistics(runningMean, runningVar!, momentum);
        return SimdBatchNorm2dFunction.apply(input, weight, bias, eps, running, get_num_threads());
    }

    /// <summary>
    /// <paramref name="norm"/> on <paramref name="input"/>: by this kernel where <paramref name="enabled"/>, the module is
    /// in training mode and the kernel serves it (see <see cref="Serves(BatchNorm2d, Tensor)"/>), as the module computes
    /// it: num_batches_tracked counts the batch and the running statistics are updated with the module's momentum (null:
    /// their cumulative average, 1 / num_batches_tracked), or batch statistics only where it tracks none; by the module
    /// otherwise (evaluation mode among others). A module with forward hooks (diagrams, probes) is always called, so
    /// observers see it run.
    /// </summary>
    public static Tensor Call(BatchNorm2d norm, Tensor input, bool enabled)
    {
        if (!enabled || norm.HasForwardHooks || !Serves(norm, input))
        {
            return norm.call(input);
        }

        if (!norm.track_running_stats)
        {
            return Apply(input, norm.weight, norm.bias, norm.eps);
        }

        using (no_grad())
        {
            norm.num_batches_tracked!.add_(1);
        }

        var momentum = norm.momentum ?? 1.0 / norm.num_batches_tracked.ToDouble();
        return Apply(input, norm.weight, norm.bias, norm.eps, norm.running_mean, norm.running_var, momentum);
    }

    /// <summary>
    /// Whether the kernel computes <paramref name="norm"/> on <paramref name="input"/>: the module is in training mode,
    /// its input has its channel count and is served, its weight and bias (if any) are float32 CPU vectors, and it tracks
    /// no running statistics or all three of them (running mean and variance float32 on the CPU).
    /// </summary>
    public static bool Serves(BatchNorm2d norm, Tensor input) =>
        norm.training
        && Serves(input)
        && input.size(1) == norm.num_features
        && IsChannelVector(norm.weight, norm.num_features)
        && IsChannelVector(norm.bias, norm.num_features)
        && (
            !norm.track_running_stats
            || (
                norm.running_mean is { } mean
                && norm.running_var is { } variance
                && norm.num_batches_tracked is not null
                && IsChannelVector(mean, norm.num_features)
                && IsChannelVector(variance, norm.num_features)
            )
        );

    private static bool IsChannelVector(Tensor? t, long channels) =>
        t is null
        || (t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.dim() == 1 && t.size(0) == channels);

    /// <summary>
    /// Forward: x [B, C, H, W] contiguous, gamma and beta (null: 1 and 0) -> y [B, C, H, W] and each channel's
    /// statistics.
    /// </summary>
    internal static (Tensor Output, ChannelStatistics[] Statistics) Forward(
        Tensor x,
        float[]? gamma,
        float[]? beta,
        double eps,
        int threads
    )
    {
        var layout = new Layout(x);
        var y = empty(x.shape, ScalarType.Float32);
        var pass = new ForwardPass(layout, Pointer(x), Pointer(y), gamma, beta, eps);
        ForChannels(pass, threads);
        return (y, pass.Statistics);
    }

    /// <summary>
    /// Gradients: gy and the forward's x [B, C, H, W] contiguous, its statistics and gamma (null: 1) -> the input gradient
    /// (where <paramref name="inputGrad"/>), sum(gy xhat) and sum(gy) per channel (the weight and bias gradients).
    /// </summary>
    internal static (Tensor? Input, float[] Weight, float[] Bias) Backward(
        Tensor gy,
        Tensor x,
        ChannelStatistics[] statistics,
        float[]? gamma,
        bool inputGrad,
        int threads
    )
    {
        var layout = new Layout(x);
        var gx = inputGrad ? empty(x.shape, ScalarType.Float32) : null;
        var pass = new BackwardPass(
            layout,
            Pointer(gy),
            Pointer(x),
            gx is null ? null : Pointer(gx),
            statistics,
            gamma
        );
        ForChannels(pass, threads);
        return (gx, pass.Weight, pass.Bias);
    }

    /// <summary>
    /// What forward computed for one channel and backward reads: the float32 rounding of the mean that every pass
    /// subtracts (<see cref="Center"/>), the mean and biased variance in float64 and invstd.
    /// </summary>
    internal readonly record struct ChannelStatistics(float Center, double Mean, double Variance, double InvStd)
    {
        /// <summary>The mean less <see cref="Center"/>: what subtracting the center leaves out.</summary>
        public double Remainder => Mean - Center;
    }

    /// <summary>
    /// A contiguous [B, C, H, W] tensor as the kernel walks it: channel c is B planes of H x W floats, C planes apart.
    /// </summary>
    internal readonly record struct Layout(int Batch, int Channels, int Plane)
    {
        public Layout(Tensor x)
            : this((int)x.size(0), (int)x.size(1), (int)(x.size(2) * x.size(3))) { }

        /// <summary>Values per channel: the N of the statistics.</summary>
        public long Count => (long)Batch * Plane;

        public long Offset(int b, int c) => (((long)b * Channels) + c) * Plane;
    }

    /// <summary>One pass of the kernel over a tensor's channels, run channel by channel at a vector width.</summary>
    private interface IChannelPass
    {
        int Channels { get; }

        void Run<TOps, TV>(int c)
            where TOps : struct, IVec<TV>
            where TV : struct;
    }

    // Each channel at the widest vector this CPU runs. Channels are independent and each is computed whole by one
    // thread, so any split gives the same bits.
    private static void ForChannels<TPass>(TPass pass, int threads)
        where TPass : struct, IChannelPass
    {
        void Channel(int c)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                pass.Run<V512, Vector512<float>>(c);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                pass.Run<V256, Vector256<float>>(c);
            }
            else
            {
                pass.Run<V1, float>(c);
            }
        }

        KernelThreads.For(pass.Channels, threads, Channel);
    }

    /// <summary>Forward over each channel: its statistics into <see cref="Statistics"/>, y normalized.</summary>
    private readonly struct ForwardPass(Layout layout, float* x, float* y, float[]? gamma, float[]? beta, double eps)
        : IChannelPass
    {
        public ChannelStatistics[] Statistics { get; } = new ChannelStatistics[layout.Channels];

        public int Channels => layout.Channels;

        public void Run<TOps, TV>(int c)
            where TOps : struct, IVec<TV>
            where TV : struct =>
            Statistics[c] = ForwardChannel<TOps, TV>(layout, x, y, c, eps, gamma?[c] ?? 1f, beta?[c] ?? 0f);
    }

    /// <summary>Backward over each channel: the weight and bias gradients, and gx where it is not null.</summary>
    private readonly struct BackwardPass(
        Layout layout,
        float* gy,
        float* x,
        float* gx,
        ChannelStatistics[] statistics,
        float[]? gamma
    ) : IChannelPass
    {
        public float[] Weight { get; } = new float[layout.Channels];

        public float[] Bias { get; } = new float[layout.Channels];

        public int Channels => layout.Channels;

        public void Run<TOps, TV>(int c)
            where TOps : struct, IVec<TV>
            where TV : struct =>
            (Weight[c], Bias[c]) = BackwardChannel<TOps, TV>(layout, gy, x, gx, c, statistics[c], gamma?[c] ?? 1f);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ChannelStatistics ForwardChannel<TOps, TV>(
        Layout layout,
        float* x,
        float* y,
        int c,
        double eps,
        float gamma,
        float beta
    )
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var (n, plane) = (layout.Count, layout.Plane);
        var sum = 0.0;
        for (var b = 0; b < layout.Batch; b++)
        {
            sum += Sum<TOps, TV>(x + layout.Offset(b, c), plane);
        }

        var mean = sum / n;
        var center = (float)mean;
        var (deviations, squares) = (0.0, 0.0);
        for (var b = 0; b < layout.Batch; b++)
        {
            var (d, s) = Deviations<TOps, TV>(x + layout.Offset(b, c), plane, center);
            deviations += d;
            squares += s;
        }

        // The first pass's float32 sums round at the input's magnitude; the deviations d = x - center are exact, and
        // their mean r is what the center misses: the mean is center + r, and sum (x - mean)^2 = sum d^2 - N r^2.
        var remainder = deviations / n;
        mean = center + remainder;
        var variance = Math.Max(0.0, (squares - (deviations * remainder)) / n);
        var invStd = 1 / Math.Sqrt(variance + eps);
        // y = (x - mean) scale + beta = (x - center) scale + (beta - r scale).
        var scale = gamma * invStd;
        var shift = beta - (remainder * scale);
        for (var b = 0; b < layout.Batch; b++)
        {
            var offset = layout.Offset(b, c);
            Normalize<TOps, TV>(x + offset, y + offset, plane, center, (float)scale, (float)shift);
        }

        return new ChannelStatistics(center, mean, variance, invStd);
    }

    // gbeta = sum gy, ggamma = invstd sum gy (x - mean), gx = gamma invstd (gy - gbeta / N - xhat ggamma / N) with
    // xhat = (x - mean) invstd, written as gx = a gy + k (x - center) + c0 so one pass computes it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Weight, float Bias) BackwardChannel<TOps, TV>(
        Layout layout,
        float* gy,
        float* x,
        float* gx,
        int c,
        ChannelStatistics statistics,
        float gamma
    )
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var (n, plane, center) = (layout.Count, layout.Plane, statistics.Center);
        var (sum, products) = (0.0, 0.0);
        for (var b = 0; b < layout.Batch; b++)
        {
            var offset = layout.Offset(b, c);
            var (s, p) = GradientSums<TOps, TV>(gy + offset, x + offset, plane, center);
            sum += s;
            products += p;
        }

        // sum gy (x - mean) = sum gy (x - center) - r sum gy.
        var remainder = statistics.Remainder;
        var centered = products - (remainder * sum);
        if (gx != null)
        {
            var a = gamma * statistics.InvStd;
            var k = -a * statistics.InvStd * statistics.InvStd * centered / n;
            var c0 = (-a * sum / n) - (k * remainder);
            for (var b = 0; b < layout.Batch; b++)
            {
                var offset = layout.Offset(b, c);
                InputGradient<TOps, TV>(
                    gy + offset,
                    x + offset,
                    gx + offset,
                    plane,
                    center,
                    (float)a,
                    (float)k,
                    (float)c0
                );
            }
        }

        return ((float)(statistics.InvStd * centered), (float)sum);
    }

    // sum x over n floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Sum<TOps, TV>(float* x, int n)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var total = 0.0;
        for (var start = 0; start < n; start += ChunkFloats)
        {
            var end = Math.Min(n, start + ChunkFloats);
            var (a0, a1, a2, a3) = (TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0));
            var i = start;
            for (; i + (4 * width) <= end; i += 4 * width)
            {
                a0 = TOps.Add(a0, TOps.Load(x + i));
                a1 = TOps.Add(a1, TOps.Load(x + i + width));
                a2 = TOps.Add(a2, TOps.Load(x + i + (2 * width)));
                a3 = TOps.Add(a3, TOps.Load(x + i + (3 * width)));
            }

            for (; i + width <= end; i += width)
            {
                a0 = TOps.Add(a0, TOps.Load(x + i));
            }

            var chunk = TOps.Sum(TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)));
            for (; i < end; i++)
            {
                chunk += x[i];
            }

            total += chunk;
        }

        return total;
    }

    // (sum d, sum d^2) with d = x - center over n floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, double Squares) Deviations<TOps, TV>(float* x, int n, float center)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var middle = TOps.Broadcast(center);
        var (sum, squares) = (0.0, 0.0);
        for (var start = 0; start < n; start += ChunkFloats)
        {
            var end = Math.Min(n, start + ChunkFloats);
            var (s0, s1, q0, q1) = (TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0));
            var i = start;
            for (; i + (2 * width) <= end; i += 2 * width)
            {
                var d0 = TOps.Subtract(TOps.Load(x + i), middle);
                var d1 = TOps.Subtract(TOps.Load(x + i + width), middle);
                s0 = TOps.Add(s0, d0);
                s1 = TOps.Add(s1, d1);
                q0 = TOps.Fma(d0, d0, q0);
                q1 = TOps.Fma(d1, d1, q1);
            }

            for (; i + width <= end; i += width)
            {
                var d = TOps.Subtract(TOps.Load(x + i), middle);
                s0 = TOps.Add(s0, d);
                q0 = TOps.Fma(d, d, q0);
            }

            var (chunkSum, chunkSquares) = (TOps.Sum(TOps.Add(s0, s1)), TOps.Sum(TOps.Add(q0, q1)));
            for (; i < end; i++)
            {
                var d = x[i] - center;
                chunkSum += d;
                chunkSquares = MathF.FusedMultiplyAdd(d, d, chunkSquares);
            }

            sum += chunkSum;
            squares += chunkSquares;
        }

        return (sum, squares);
    }

    // (sum g, sum g (x - center)) over n floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, double Products) GradientSums<TOps, TV>(float* g, float* x, int n, float center)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var middle = TOps.Broadcast(center);
        var (sum, products) = (0.0, 0.0);
        for (var start = 0; start < n; start += ChunkFloats)
        {
            var end = Math.Min(n, start + ChunkFloats);
            var (s0, s1, p0, p1) = (TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0), TOps.Broadcast(0));
            var i = start;
            for (; i + (2 * width) <= end; i += 2 * width)
            {
                var (g0, g1) = (TOps.Load(g + i), TOps.Load(g + i + width));
                s0 = TOps.Add(s0, g0);
                s1 = TOps.Add(s1, g1);
                p0 = TOps.Fma(g0, TOps.Subtract(TOps.Load(x + i), middle), p0);
                p1 = TOps.Fma(g1, TOps.Subtract(TOps.Load(x + i + width), middle), p1);
            }

            for (; i + width <= end; i += width)
            {
                var gi = TOps.Load(g + i);
                s0 = TOps.Add(s0, gi);
                p0 = TOps.Fma(gi, TOps.Subtract(TOps.Load(x + i), middle), p0);
            }

            var (chunkSum, chunkProducts) = (TOps.Sum(TOps.Add(s0, s1)), TOps.Sum(TOps.Add(p0, p1)));
            for (; i < end; i++)
            {
                chunkSum += g[i];
                chunkProducts = MathF.FusedMultiplyAdd(g[i], x[i] - center, chunkProducts);
            }

            sum += chunkSum;
            products += chunkProducts;
        }

        return (sum, products);
    }

    // y = (x - center) scale + shift over n floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normalize<TOps, TV>(float* x, float* y, int n, float center, float scale, float shift)
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var (middle, s, t) = (TOps.Broadcast(center), TOps.Broadcast(scale), TOps.Broadcast(shift));
        var i = 0;
        for (; i + width <= n; i += width)
        {
            TOps.Store(y + i, TOps.Fma(TOps.Subtract(TOps.Load(x + i), middle), s, t));
        }

        for (; i < n; i++)
        {
            y[i] = MathF.FusedMultiplyAdd(x[i] - center, scale, shift);
        }
    }

    // gx = a g + k (x - center) + c0 over n floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient<TOps, TV>(
        float* g,
        float* x,
        float* gx,
        int n,
        float center,
        float a,
        float k,
        float c0
    )
        where TOps : struct, IVec<TV>
        where TV : struct
    {
        var width = TOps.Width;
        var (middle, va, vk, vc) = (TOps.Broadcast(center), TOps.Broadcast(a), TOps.Broadcast(k), TOps.Broadcast(c0));
        var i = 0;
        for (; i + width <= n; i += width)
        {
            var d = TOps.Subtract(TOps.Load(x + i), middle);
            TOps.Store(gx + i, TOps.Fma(d, vk, TOps.Fma(TOps.Load(g + i), va, vc)));
        }

        for (; i < n; i++)
        {
            gx[i] = MathF.FusedMultiplyAdd(x[i] - center, k, MathF.FusedMultiplyAdd(g[i], a, c0));
        }
    }
}

/// <summary>
/// A batch norm's running mean and variance, updated in place as libtorch updates them in training mode:
/// running = (1 - momentum) running + momentum batch, the batch variance unbiased (N / (N - 1)), in float64.
/// </summary>
internal sealed record RunningStatistics(Tensor Mean, Tensor Variance, double Momentum)
{
    public void Update(SimdBatchNorm2d.ChannelStatistics[] batch, long count)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var mean = tensor(batch.Select(s => s.Mean).ToArray(), ScalarType.Float64);
        var variance = tensor(batch.Select(s => s.Variance * count / (count - 1)).ToArray(), ScalarType.Float64);
        Mean.copy_((Mean.to(ScalarType.Float64) * (1 - Momentum)) + (mean * Momentum));
        Variance.copy_((Variance.to(ScalarType.Float64) * (1 - Momentum)) + (variance * Momentum));
    }
}

/// <summary>
/// <see cref="SimdBatchNorm2d"/> as a TorchSharp autograd function: apply(x, weight, bias, eps, running statistics,
/// threads). Forward saves x (dense) and keeps each channel's statistics and gamma as managed data; backward releases
/// what it reads, and what it returns is released as <see cref="SimdConvAutograd"/> says.
/// </summary>
internal sealed class SimdBatchNorm2dFunction : torch.autograd.SingleTensorFunction<SimdBatchNorm2dFunction>
{
    public override string Name => "NsmtSimdBatchNorm2d";

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias) = ((Tensor)vars[0], vars[1] as Tensor, vars[2] as Tensor);
        var (eps, running, threads) = ((double)vars[3], vars[4] as RunningStatistics, (int)vars[5]);
        var dense = x.is_contiguous() ? x : x.contiguous();
        var gamma = weight is null ? null : KernelMemory.Floats(weight);
        var beta = bias is null ? null : KernelMemory.Floats(bias);
        var (y, statistics) = SimdBatchNorm2d.Forward(dense, gamma, beta, eps, threads);
        running?.Update(statistics, new SimdBatchNorm2d.Layout(dense).Count);
        ctx.save_for_backward([dense]);
        ctx.save_data("statistics", statistics);
        ctx.save_data("gamma", gamma!);
        ctx.save_data("weight", weight is not null);
        ctx.save_data("bias", bias is not null);
        ctx.save_data("threads", threads);
        ctx.save_data("input_grad", x.requires_grad);
        return y;
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        var x = ctx.get_saved_variables()[0];
        var gy = grad_output.is_contiguous() ? grad_output : grad_output.contiguous();
        var (gx, weight, bias) = SimdBatchNorm2d.Backward(
            gy,
            x,
            (SimdBatchNorm2d.ChannelStatistics[])ctx.get_data("statistics"),
            ctx.get_data("gamma") as float[],
            (bool)ctx.get_data("input_grad"),
            (int)ctx.get_data("threads")
        );
        var gw = (bool)ctx.get_data("weight") ? torch.tensor(weight) : null;
        var gb = (bool)ctx.get_data("bias") ? torch.tensor(bias) : null;
        if (!ReferenceEquals(gy, grad_output))
        {
            gy.Dispose();
        }

        grad_output.Dispose();
        x.Dispose();
        SimdConvAutograd.HoldUntilNextBackward(gx, gw, gb);
        return [gx!, gw!, gb!, null!, null!, null!];
    }
}
