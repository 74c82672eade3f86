using System.Diagnostics;
using Nsmt.Neural.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// SimdMaxPool2d against libtorch's max_pool2d (cpu_max_pool) on SimpleCnn's four 2x2 pools (batch 64, ReLU'd inputs as
/// in training, so many windows tie): each is first checked bit for bit (output and input gradient), then timed by process
/// CPU time per pool, forward + backward, alternating the two sides sample by sample: best and median of N samples of 10
/// pools each.
/// </summary>
internal static class SimdMaxPool2dBench
{
    private const int Inner = 10;

    private static readonly (string Name, int Channels, int Size)[] Shapes =
    [
        ("micro pool1", 8, 32),
        ("micro pool2", 16, 16),
        ("tiny pool1", 16, 32),
        ("tiny pool2", 32, 16),
    ];

    public static int Run(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        Console.WriteLine(
            $"one 2x2 max pool (stride 2), batch {Conv2dBench.Batch}, forward + backward, {threads} threads, {repeats} alternating samples of {Inner} pools, process CPU ms per pool best (median), SimdMaxPool2d at {SimdMaxPool2d.VectorWidth}, libtorch {__version__}, oneDNN active: {Nsmt.Neural.Engine.EngineGuard.OneDnnActive}"
        );
        Console.WriteLine("  shape                | bit-identical | libtorch         simd            lib/simd");
        var identical = true;
        foreach (var (name, channels, size) in Shapes)
        {
            using var scope = NewDisposeScope();
            var x = F.relu(randn(Conv2dBench.Batch, channels, size, size)).requires_grad_();
            var g = randn(Conv2dBench.Batch, channels, size / 2, size / 2);

            var (reference, ours) = (x.detach().clone().requires_grad_(), x.detach().clone().requires_grad_());
            var expected = F.max_pool2d(reference, 2);
            expected.backward([g]);
            var actual = SimdMaxPool2d.Apply(ours);
            actual.backward([g]);
            var same =
                expected.bytes.SequenceEqual(actual.bytes) && reference.grad!.bytes.SequenceEqual(ours.grad!.bytes);
            identical &= same;

            double Time(Func<Tensor, Tensor> pool)
            {
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                for (var n = 0; n < Inner; n++)
                {
                    using (NewDisposeScope())
                    {
                        pool(x).backward([g]);
                    }

                    x.grad = null;
                }

                process.Refresh();
                return (process.TotalProcessorTime - cpu0).TotalMilliseconds / Inner;
            }

            var (lib, simd) = (new List<double>(), new List<double>());
            // One untimed round first: JIT and first-touch allocations.
            for (var r = -1; r < repeats; r++)
            {
                var times = (Lib: Time(xi => F.max_pool2d(xi, 2)), Simd: Time(SimdMaxPool2d.Apply));
                if (r >= 0)
                {
                    lib.Add(times.Lib);
                    simd.Add(times.Simd);
                }
            }

            static string Cell(List<double> v) => $"{v.Min(), 6:F3} ({Conv2dBench.Median(v), 6:F3})";
            Console.WriteLine(
                $"  {name, -11} {channels, 2}x{size}x{size} | {(same ? "yes" : "NO"), -13} | {Cell(lib)} {Cell(simd)} {Conv2dBench.Median(lib) / Conv2dBench.Median(simd), 5:F2}x"
            );
        }

        return identical ? 0 : 1;
    }
}
