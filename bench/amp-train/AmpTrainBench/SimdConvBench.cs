using System.Diagnostics;
using Nsmt.Neural.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// Go/no-go probe for SimdConv (issue 29 item 4): one conv layer forward + backward (input, weight and bias
/// gradients) for A1's shapes, libtorch's conv1d against SimdConv in the same process, alternating, best of N by
/// process CPU time and by wall time; every result checked against float64 conv1d first.
/// </summary>
internal static class SimdConvBench
{
    private const int Batch = 16;
    private const int Length = 12285;

    // (in, out, kernel, dilation) of A1 standard's convolutions, plus the fused 17-channel variant; the first shape
    // again last, once everything is warm.
    private static readonly (int C, int O, int K, int D)[] Shapes =
    [
        (16, 16, 3, 1),
        (16, 16, 3, 64),
        (16, 16, 3, 512),
        (1, 16, 1, 1),
        (16, 16, 1, 1),
        (16, 8, 3, 1),
        (8, 8, 3, 1),
        (8, 8, 3, 512),
        (16, 8, 1, 1),
        (8, 1, 1, 1),
        (17, 16, 3, 8),
        (16, 16, 3, 1),
    ];

    public static int Run(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        Console.WriteLine(
            $"one conv1d layer, batch {Batch}, input length {Length}, forward + backward (x, w, b grads), {threads} threads, best of {repeats}, SimdConv at {SimdConv1d.VectorWidth}, libtorch {__version__}"
        );
        Console.WriteLine(
            "  C->O   k    d | err out    gx       gw       gb      | libtorch cpu/wall ms | simd cpu/wall ms | lib/simd cpu  wall"
        );
        var worst = 0.0;
        foreach (var (c, o, k, d) in Shapes)
        {
            using var scope = NewDisposeScope();
            var x = (randn(Batch, c, Length) * 0.5).requires_grad_();
            var w = (randn(o, c, k) / Math.Sqrt(c * k)).requires_grad_();
            var b = (randn(o) * 0.1).requires_grad_();
            if (!SimdConv1d.Serves(x, w))
            {
                // 1x1 convs stay on libtorch (one GEMM, as fast or faster: RESULTS.md's probe timed them before).
                Console.WriteLine($"  {c, 2}->{o, -2} {k, 2} {d, 4} | kernel 1: left to libtorch");
                continue;
            }

            var g = randn(Batch, o, Length - (d * (k - 1)));

            // float64 reference
            var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
            var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
            var b64 = b.detach().to(ScalarType.Float64).requires_grad_();
            var y64 = F.conv1d(x64, w64, b64, dilation: d);
            y64.backward([g.to(ScalarType.Float64)]);

            var y = SimdConv1d.Apply(x, w, b, d);
            y.backward([g]);
            double Err(Tensor ours, Tensor reference) =>
                (ours.to(ScalarType.Float64) - reference).abs().max().item<double>()
                / Math.Max(1e-30, reference.abs().max().item<double>());
            var errs = new[] { Err(y, y64), Err(x.grad!, x64.grad!), Err(w.grad!, w64.grad!), Err(b.grad!, b64.grad!) };
            worst = Math.Max(worst, errs.Max());

            // the same against libtorch's float32 conv, for scale
            x.grad = null;
            w.grad = null;
            b.grad = null;

            (double Cpu, double Wall) Time(Func<Tensor> conv)
            {
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    conv().backward([g]);
                }

                x.grad = null;
                w.grad = null;
                b.grad = null;
                var wall = clock.Elapsed.TotalMilliseconds;
                process.Refresh();
                return ((process.TotalProcessorTime - cpu0).TotalMilliseconds, wall);
            }

            var lib = (Cpu: double.MaxValue, Wall: double.MaxValue);
            var simd = lib;
            for (var r = 0; r < repeats; r++)
            {
                var l = Time(() => F.conv1d(x, w, b, dilation: d));
                var s = Time(() => SimdConv1d.Apply(x, w, b, d));
                lib = (Math.Min(lib.Cpu, l.Cpu), Math.Min(lib.Wall, l.Wall));
                simd = (Math.Min(simd.Cpu, s.Cpu), Math.Min(simd.Wall, s.Wall));
            }

            Console.WriteLine(
                $"  {c, 2}->{o, -2} {k, 2} {d, 4} | {errs[0], 8:E1} {errs[1], 8:E1} {errs[2], 8:E1} {errs[3], 8:E1} | {lib.Cpu, 8:F1} {lib.Wall, 8:F1}    | {simd.Cpu, 7:F1} {simd.Wall, 7:F1}  | {lib.Cpu / simd.Cpu, 5:F2}x {lib.Wall / simd.Wall, 5:F2}x"
            );
        }

        Console.WriteLine($"worst relative error against float64: {worst:E2}");
        return worst < 1e-4 ? 0 : 1;
    }
}
