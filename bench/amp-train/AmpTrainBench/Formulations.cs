using System.Diagnostics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// The C# twin of formulations.py on the engine our trainer runs on (TorchSharp 0.107, libtorch 2.10 with MKL and
/// oneDNN): one training step (forward + backward, batch 16, ny 8192, MSE) of the A1 standard WaveNet computed
/// several ways, best of N, interleaved, all checked equal to NAM's formulation first.
///   nam      conv1d, mixin over the whole condition then cropped, tanh, 1x1 conv, add (NAM's code)
///   crop     the mixin only over the aligned tail, in-place add/tanh (our unfused path)
///   fused    the mixin as an extra input channel of the dilated conv (our default path)
///   im2col   channels-last: the K dilated taps concatenated, one matmul per layer (MKL GEMM)
///   taps     channels-last: one matmul per tap, summed
///   conv2d   the dilated conv as conv2d over [B, C, 1, L] (what libtorch does inside conv1d), for comparison
/// </summary>
internal static class Formulations
{
    private const int Batch = 16;
    private const int Ny = 8192;
    private static readonly int[] Ten = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    /// <summary>Every formulation Run times unless told which.</summary>
    public static readonly string[] AllModes = ["nam", "crop", "fused", "im2col", "taps", "conv2d", "simd"];

    // (input, channels, head) of A1 standard; Run may widen the second array (see its parameter).
    private static (int In, int C, int H)[] Arrays = [(1, 16, 8), (16, 8, 1)];

    /// <param name="array2Channels">
    /// The second array's channels (A1 standard: 8); 16 times the cost of running its 8-channel layers padded to 16,
    /// the layout whose every convolution has a channel count oneDNN gets right on AMD Zen 5 (RESULTS.md).
    /// </param>
    /// <param name="uncheckedOneDnn">
    /// Sets libtorch's oneDNN switch without the engine self-check, to time oneDNN's kernels on a CPU where some of
    /// them compute wrong: speed only. A formulation that then disagrees with NAM's is reported, not refused.
    /// </param>
    public static int Run(int threads, int repeats, string[] modes, int array2Channels, bool? uncheckedOneDnn)
    {
        set_num_threads(threads);
        manual_seed(0);
        Arrays = [(1, 16, array2Channels), (16, array2Channels, 1)];
        if (uncheckedOneDnn is bool on)
        {
            // LibTorchEngine is internal to Nsmt.Neural on purpose (trainers go through EngineGuard): reached here by
            // reflection, for this timing only.
            var engine = typeof(Nsmt.Neural.Engine.EngineGuard).Assembly.GetType("Nsmt.Neural.Engine.LibTorchEngine")!;
            engine.GetMethod("SetOneDnn")!.Invoke(engine.GetProperty("Instance")!.GetValue(null), [on]);
            Console.WriteLine($"oneDNN {(on ? "on" : "off")}, unchecked (timing only)");
        }

        var rf = 1 + Arrays.Sum(_ => Ten.Sum(d => 2 * d));
        var model = new Weights();
        using var x = randn(Batch, Ny + rf - 1) * 0.3;
        using var y = randn(Batch, Ny) * 0.1;
        using (no_grad())
        {
            using var reference = Forward("nam", model, x);
            foreach (var mode in modes)
            {
                using var other = Forward(mode, model, x);
                if (!other.allclose(reference, atol: 1e-5))
                {
                    if (uncheckedOneDnn is null)
                    {
                        throw new InvalidOperationException($"{mode} computes something else than nam");
                    }

                    Console.WriteLine($"  {mode} disagrees with nam on this engine (wrong kernels): timed anyway");
                }
            }
        }

        var best = modes.ToDictionary(m => m, _ => double.MaxValue);
        for (var r = 0; r < repeats; r++)
        {
            foreach (var mode in modes)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    F.mse_loss(Forward(mode, model, x), y).backward();
                }

                foreach (var leaf in model.Leaves)
                {
                    leaf.grad?.Dispose();
                    leaf.grad = null;
                }

                best[mode] = Math.Min(best[mode], clock.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine(
            $"A1 standard (second array {array2Channels} channels), one training step (batch {Batch}, ny {Ny}), {threads} threads, best of {repeats}, TorchSharp (libtorch {__version__}):"
        );
        foreach (var mode in modes)
        {
            Console.WriteLine($"  {mode, -7} {best[mode], 7:F0} ms  ({best[mode] / best[modes[0]]:F2}x {modes[0]})");
        }

        return 0;
    }

    /// <summary>One dilated conv (forward + backward) as conv1d and as conv2d, for several channel counts.</summary>
    public static int SingleConvs(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        Console.WriteLine(
            $"one dilated conv, kernel 3, batch {Batch}, length {Ny + 4000}, forward + backward, {threads} threads, best of {repeats} (ms):"
        );
        Console.WriteLine("  channels dilation  conv1d  conv2d");
        foreach (var channels in new[] { 8, 16, 17 })
        {
            foreach (var d in new[] { 1, 64, 512 })
            {
                using var x = randn(Batch, channels, Ny + 4000).requires_grad_();
                using var w = randn(channels, channels, 3).requires_grad_();
                double Time(Func<Tensor> f)
                {
                    var bestMs = double.MaxValue;
                    for (var r = 0; r < repeats; r++)
                    {
                        var clock = Stopwatch.StartNew();
                        using (var scope = NewDisposeScope())
                        {
                            f().sum().backward();
                        }

                        x.grad = null;
                        w.grad = null;
                        bestMs = Math.Min(bestMs, clock.Elapsed.TotalMilliseconds);
                    }

                    return bestMs;
                }

                var c1 = Time(() => F.conv1d(x, w, dilation: d));
                var c2 = Time(() => F.conv2d(x.unsqueeze(2), w.unsqueeze(2), dilation: [1, d]).squeeze(2));
                Console.WriteLine($"  {channels, 8} {d, 8} {c1, 7:F1} {c2, 7:F1}");
            }
        }

        return 0;
    }

    /// <summary>
    /// The probe the TorchSharp move was filed with: a 10-layer dilated Conv1d stack (16 channels, kernel 3,
    /// dilations 1..512, tanh), batch B x 8192 output samples, one training step; best of N, in ms, per batch size.
    /// stack_probe.py times the same in PyTorch.
    /// </summary>
    /// <summary>NSMT_STACK_CONV2D=1: the stack's convolutions as conv2d over [B, C, 1, L] (what conv1d does inside libtorch).</summary>
    private static bool StackAsConv2d => Environment.GetEnvironmentVariable("NSMT_STACK_CONV2D") == "1";

    public static int Stack(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        var weights = Ten.Select(_ => (((rand(16, 16, 3) * 2) - 1) / Math.Sqrt(48)).requires_grad_()).ToArray();
        foreach (var batch in new[] { 1, 4, 16 })
        {
            using var x = randn(batch, 16, 8192 + Ten.Sum(d => 2 * d));
            var bestMs = double.MaxValue;
            for (var r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    var h = x;
                    for (var l = 0; l < Ten.Length; l++)
                    {
                        h = (
                            StackAsConv2d
                                ? F.conv2d(h.unsqueeze(2), weights[l].unsqueeze(2), dilation: [1, Ten[l]]).squeeze(2)
                                : F.conv1d(h, weights[l], dilation: Ten[l])
                        ).tanh();
                    }

                    h.square().mean().backward();
                }

                foreach (var w in weights)
                {
                    w.grad = null;
                }

                bestMs = Math.Min(bestMs, clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"stack batch {batch}: {bestMs:F1} ms");
        }

        return 0;
    }

    private static Tensor Forward(string mode, Weights model, Tensor x)
    {
        using var scope = NewDisposeScope();
        var last = mode is "im2col" or "taps";
        var cond = last ? x.unsqueeze(2) : x.unsqueeze(1);
        var u = cond;
        Tensor? head = null;
        foreach (var array in model.ArraysWeights)
        {
            var h = last ? matmul(u, array.Rechannel.squeeze(2).t()) : F.conv1d(u, array.Rechannel);
            var s = head;
            foreach (var layer in array.Layers)
            {
                var z = Dilated(mode, h, cond, layer);
                var a = z.tanh();
                var n = last ? a.size(1) : a.size(2);
                Tensor tail;
                if (last)
                {
                    h = h.narrow(1, h.size(1) - n, n) + matmul(a, layer.OneByOne.squeeze(2).t()) + layer.OneByOneBias;
                    tail = a.narrow(1, n - Ny, Ny);
                }
                else
                {
                    h = h.narrow(2, h.size(2) - n, n) + F.conv1d(a, layer.OneByOne, layer.OneByOneBias);
                    tail = a.narrow(2, n - Ny, Ny);
                }

                s = s is null ? tail : s + tail;
            }

            head = last
                ? matmul(s!, array.Head.squeeze(2).t()) + (array.HeadBias is null ? 0 : array.HeadBias)
                : F.conv1d(s!, array.Head, array.HeadBias);
            u = h;
        }

        var output = 0.02f * (last ? head!.select(2, 0) : head!.select(1, 0));
        return output.MoveToOuterDisposeScope();
    }

    private static Tensor Dilated(string mode, Tensor h, Tensor cond, LayerWeights l)
    {
        var d = l.Dilation;
        switch (mode)
        {
            case "nam":
            {
                var z = F.conv1d(h, l.Conv, l.ConvBias, dilation: d);
                var mix = F.conv1d(cond, l.Mixin);
                return z + mix.narrow(2, mix.size(2) - z.size(2), z.size(2));
            }

            case "crop":
            {
                var z = F.conv1d(h, l.Conv, l.ConvBias, dilation: d);
                return z.add_(F.conv1d(cond.narrow(2, cond.size(2) - z.size(2), z.size(2)), l.Mixin));
            }

            case "fused":
            {
                var weight = cat([l.Conv, F.pad(l.Mixin, [2, 0])], 1);
                return F.conv1d(
                    cat([h, cond.narrow(2, cond.size(2) - h.size(2), h.size(2))], 1),
                    weight,
                    l.ConvBias,
                    dilation: d
                );
            }

            case "simd":
            {
                // crop with the dilated conv on Nsmt.Neural.Kernels.SimdConv1d, what the trainer runs where oneDNN is off.
                var z = Nsmt.Neural.Kernels.SimdConv1d.Conv1d(h, l.Conv, l.ConvBias, d, enabled: true);
                return z.add_(F.conv1d(cond.narrow(2, cond.size(2) - z.size(2), z.size(2)), l.Mixin));
            }

            case "conv2d":
            {
                var z = F.conv2d(h.unsqueeze(2), l.Conv.unsqueeze(2), l.ConvBias, dilation: [1, d]).squeeze(2);
                return z.add_(F.conv1d(cond.narrow(2, cond.size(2) - z.size(2), z.size(2)), l.Mixin));
            }
        }

        // channels-last: h [B, L, C], cond [B, L, 1]
        var lo = h.size(1) - (2 * d);
        Tensor zc;
        if (mode == "im2col")
        {
            var col = cat([h.narrow(1, 0, lo), h.narrow(1, d, lo), h.narrow(1, 2 * d, lo)], 2);
            zc = matmul(col, l.Conv.permute(2, 1, 0).reshape(-1, l.Conv.size(0))) + l.ConvBias;
        }
        else
        {
            zc =
                l.ConvBias
                + matmul(h.narrow(1, 0, lo), l.Conv.select(2, 0).t())
                + matmul(h.narrow(1, d, lo), l.Conv.select(2, 1).t())
                + matmul(h.narrow(1, 2 * d, lo), l.Conv.select(2, 2).t());
        }

        return zc + (cond.narrow(1, cond.size(1) - lo, lo) * l.Mixin.select(2, 0).select(1, 0));
    }

    private sealed record LayerWeights(
        int Dilation,
        Tensor Conv,
        Tensor ConvBias,
        Tensor Mixin,
        Tensor OneByOne,
        Tensor OneByOneBias
    );

    private sealed record ArrayWeights(Tensor Rechannel, LayerWeights[] Layers, Tensor Head, Tensor? HeadBias);

    private sealed class Weights
    {
        public Weights()
        {
            ArraysWeights =
            [
                .. Arrays.Select(a => new ArrayWeights(
                    Param(a.C, a.In, 1),
                    [
                        .. Ten.Select(d => new LayerWeights(
                            d,
                            Param(a.C, a.C, 3),
                            Zeros(a.C),
                            Param(a.C, 1, 1),
                            Param(a.C, a.C, 1),
                            Zeros(a.C)
                        )),
                    ],
                    Param(a.H, a.C, 1),
                    a.In != 1 ? Zeros(a.H) : null
                )),
            ];
        }

        public ArrayWeights[] ArraysWeights { get; }

        public List<Tensor> Leaves { get; } = [];

        private Tensor Param(int cout, int cin, int k)
        {
            var w = ((rand(cout, cin, k) * 2) - 1).div_(Math.Sqrt(cin * k)).requires_grad_();
            Leaves.Add(w);
            return w;
        }

        private Tensor Zeros(int n)
        {
            var b = zeros(n).requires_grad_();
            Leaves.Add(b);
            return b;
        }
    }
}
