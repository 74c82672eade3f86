using System.Diagnostics;
using Nsmt.Neural.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// Go/no-go (issue 29 item 4): SimdConv2d against libtorch's conv2d (im2col + GEMM with oneDNN off) on SimpleCnn's four
/// 3x3 convs (padding 1, batch 64; Conv2dBench's shapes). Each is checked against float64 conv2d (output and input,
/// weight and bias gradients), then timed by process CPU time per conv, forward + backward and forward alone (no
/// autograd), alternating the two sides sample by sample: best and median of N samples of 10 convs each. --only NAME
/// runs the shapes whose name contains NAME (to profile one).
/// </summary>
internal static class SimdConv2dBench
{
    private const int Inner = 10;

    public static int Run(int threads, int repeats, string only)
    {
        set_num_threads(threads);
        manual_seed(0);
        Console.WriteLine(
            $"one 3x3 conv2d (padding 1), batch {Conv2dBench.Batch}, {threads} threads, {repeats} alternating samples of {Inner} convs, process CPU ms per conv best (median), SimdConv2d at {SimdConv2d.VectorWidth}, libtorch {__version__}, oneDNN active: {Nsmt.Neural.Engine.EngineGuard.OneDnnActive}"
        );
        Console.WriteLine(
            "  shape                     | max rel err (out gx gw gb) | fwd+bwd libtorch  simd2d  lib/simd | fwd libtorch  simd2d  lib/simd"
        );
        var worst = 0.0;
        foreach (var (name, c, o, size, inputGrad) in Conv2dBench.Shapes.Where(s => s.Name.Contains(only)))
        {
            using var scope = NewDisposeScope();
            var x = randn(Conv2dBench.Batch, c, size, size).requires_grad_();
            var w = (randn(o, c, 3, 3) / Math.Sqrt(c * 9)).requires_grad_();
            var b = (randn(o) * 0.1).requires_grad_();
            var g = randn(Conv2dBench.Batch, o, size, size);

            var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
            var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
            var b64 = b.detach().to(ScalarType.Float64).requires_grad_();
            var y64 = F.conv2d(x64, w64, b64, padding: [1, 1]);
            y64.backward([g.to(ScalarType.Float64)]);

            var y = SimdConv2d.Apply(x, w, b, 1, 1);
            y.backward([g]);
            static double Err(Tensor ours, Tensor reference) =>
                (ours.to(ScalarType.Float64) - reference).abs().max().item<double>()
                / Math.Max(1e-30, reference.abs().max().item<double>());
            var errs = new[]
            {
                Err(y, y64.detach()),
                Err(x.grad!, x64.grad!),
                Err(w.grad!, w64.grad!),
                Err(b.grad!, b64.grad!),
            };
            worst = Math.Max(worst, errs.Max());

            // As in training: the first conv's input (the spectrogram) needs no gradient.
            x.requires_grad_(inputGrad);

            double Time(Func<Tensor, Tensor, Tensor, Tensor> conv, bool backward)
            {
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                for (var n = 0; n < Inner; n++)
                {
                    using (NewDisposeScope())
                    {
                        if (backward)
                        {
                            conv(x, w, b).backward([g]);
                        }
                        else
                        {
                            using var noGrad = no_grad();
                            conv(x, w, b);
                        }
                    }

                    x.grad = null;
                    w.grad = null;
                    b.grad = null;
                }

                process.Refresh();
                return (process.TotalProcessorTime - cpu0).TotalMilliseconds / Inner;
            }

            Tensor Lib(Tensor xi, Tensor wi, Tensor bi) => F.conv2d(xi, wi, bi, padding: [1, 1]);
            Tensor Simd(Tensor xi, Tensor wi, Tensor bi) => SimdConv2d.Apply(xi, wi, bi, 1, 1);
            var (lib, simd, libForward, simdForward) = (
                new List<double>(),
                new List<double>(),
                new List<double>(),
                new List<double>()
            );
            // One untimed round first: JIT and first-touch allocations.
            for (var r = -1; r < repeats; r++)
            {
                var times = (
                    Lib: Time(Lib, backward: true),
                    Simd: Time(Simd, backward: true),
                    LibForward: Time(Lib, backward: false),
                    SimdForward: Time(Simd, backward: false)
                );
                if (r >= 0)
                {
                    lib.Add(times.Lib);
                    simd.Add(times.Simd);
                    libForward.Add(times.LibForward);
                    simdForward.Add(times.SimdForward);
                }
            }

            static string Cell(List<double> v) => $"{v.Min(), 5:F2} ({Conv2dBench.Median(v), 5:F2})";
            Console.WriteLine(
                $"  {name, -11} {c, 2}->{o, -2} {size}x{size} | {string.Join(' ', errs.Select(e => $"{e:E0}"))} | {Cell(lib)} {Cell(simd)} {Conv2dBench.Median(lib) / Conv2dBench.Median(simd), 5:F2}x | {Cell(libForward)} {Cell(simdForward)} {Conv2dBench.Median(libForward) / Conv2dBench.Median(simdForward), 5:F2}x"
            );
        }

        Console.WriteLine($"worst relative error against float64: {worst:E2}");
        return worst < 1e-4 ? 0 : 1;
    }
}
