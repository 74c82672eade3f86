using System.Diagnostics;
using Nsmt.Neural.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// SimdBatchNorm2d against libtorch's batch norm on SimpleCnn's four BatchNorm2d layers (batch 64, training mode, affine,
/// running statistics updated, as in training): each is first checked against float64 batch_norm (output and the input,
/// weight and bias gradients, max error relative to the largest value), then timed by process CPU time per layer, forward
/// + backward and forward alone, through the module (libtorch) and SimdBatchNorm2d.Call on a twin module, alternating the
/// two sides sample by sample: best and median of N samples of 10 layers each, with the native heap kept as the Train
/// stage keeps it.
/// </summary>
internal static class SimdBatchNorm2dBench
{
    private const int Inner = 10;

    private static readonly (string Name, int Channels, int Size)[] Shapes =
    [
        ("micro bn1", 8, 32),
        ("micro bn2", 16, 16),
        ("tiny bn1", 16, 32),
        ("tiny bn2", 32, 16),
    ];

    public static int Run(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        // As the Train stage runs (TrainingEngine.Prepare): freed blocks reused, so the 1-4 MB outputs and gradients of
        // both sides do not page-fault afresh on each call.
        var heap = Nsmt.Neural.Engine.NativeHeap.KeepFreedMemory();
        Console.WriteLine(
            $"one BatchNorm2d in training mode, batch {Conv2dBench.Batch}, {threads} threads, {repeats} alternating samples of {Inner} layers, process CPU ms per layer best (median), SimdBatchNorm2d at {SimdBatchNorm2d.VectorWidth}, libtorch {__version__}, oneDNN active: {Nsmt.Neural.Engine.EngineGuard.OneDnnActive}, native heap kept: {heap}"
        );
        Console.WriteLine(
            "  shape                | max rel. error vs float64 | pass               libtorch         simd            lib/simd"
        );
        var correct = true;
        foreach (var (name, channels, size) in Shapes)
        {
            using var scope = NewDisposeScope();
            // A conv's output: a mean and scale per channel.
            var x = (randn(Conv2dBench.Batch, channels, size, size) * 2 + randn(1, channels, 1, 1)).requires_grad_();
            var g = randn(Conv2dBench.Batch, channels, size, size);
            using var libtorch = nn.BatchNorm2d(channels);
            using var simd = nn.BatchNorm2d(channels);
            foreach (var norm in new[] { libtorch, simd })
            {
                using (no_grad())
                {
                    norm.weight.copy_(rand(channels) + 0.5);
                    norm.bias!.copy_(randn(channels));
                }
            }

            var error = Float64Error(x, g, simd);
            correct &= error < 1e-5;

            double Time(Func<Tensor, Tensor> layer, bool backward)
            {
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                for (var n = 0; n < Inner; n++)
                {
                    using (NewDisposeScope())
                    {
                        // A view, so the input is a node of the graph as a layer's is: a leaf's gradient is copied
                        // where the kernel's autograd function still holds it (SimdConvAutograd), not in training.
                        var y = layer(x.view(x.shape));
                        if (backward)
                        {
                            y.backward([g]);
                        }
                    }

                    x.grad = null;
                }

                process.Refresh();
                return (process.TotalProcessorTime - cpu0).TotalMilliseconds / Inner;
            }

            foreach (var backward in new[] { true, false })
            {
                var (lib, ours) = (new List<double>(), new List<double>());
                // One untimed round first: JIT and first-touch allocations.
                for (var r = -1; r < repeats; r++)
                {
                    var times = (
                        Lib: Time(libtorch.call, backward),
                        Simd: Time(xi => SimdBatchNorm2d.Call(simd, xi, enabled: true), backward)
                    );
                    if (r >= 0)
                    {
                        lib.Add(times.Lib);
                        ours.Add(times.Simd);
                    }
                }

                static string Cell(List<double> v) => $"{v.Min(), 6:F3} ({Conv2dBench.Median(v), 6:F3})";
                var first = backward
                    ? $"{name, -11} {channels, 2}x{size}x{size} | {error, 25:E2}"
                    : new string(' ', 48);
                Console.WriteLine(
                    $"  {first} | {(backward ? "forward + backward" : "forward"), -18} {Cell(lib)} {Cell(ours)} {Conv2dBench.Median(lib) / Conv2dBench.Median(ours), 5:F2}x"
                );
            }
        }

        return correct ? 0 : 1;
    }

    // The kernel's output and gradients through the module against float64 batch_norm: the largest error relative to
    // the largest magnitude of each.
    private static double Float64Error(Tensor x, Tensor g, BatchNorm2d norm)
    {
        using var scope = NewDisposeScope();
        var (x32, w32, b32) = (x.detach().clone().requires_grad_(), norm.weight, norm.bias!);
        var y32 = SimdBatchNorm2d.Call(norm, x32, enabled: true);
        y32.backward([g]);
        var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
        var w64 = w32.detach().to(ScalarType.Float64).requires_grad_();
        var b64 = b32.detach().to(ScalarType.Float64).requires_grad_();
        var y64 = F.batch_norm(x64, null, null, w64, b64, training: true, eps: norm.eps);
        y64.backward([g.to(ScalarType.Float64)]);
        static double Relative(Tensor expected, Tensor actual) =>
            (actual.to(ScalarType.Float64) - expected).abs().max().item<double>()
            / Math.Max(1e-30, expected.abs().max().item<double>());
        var error = new[]
        {
            Relative(y64, y32),
            Relative(x64.grad!, x32.grad!),
            Relative(w64.grad!, w32.grad!),
            Relative(b64.grad!, b32.grad!),
        }.Max();
        w32.grad = null;
        b32.grad = null;
        return error;
    }
}
