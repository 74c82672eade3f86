using System.Diagnostics;
using Nsmt.Neural.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// Go/no-go probe (issue 29 item 4): can SimdConv1d compute the spectral CNNs' 3x3 convs (padding 1, stride 1) faster
/// than libtorch's conv2d with oneDNN off (im2col + GEMM)? The image is padded, H x (W + 2) flattened into one axis,
/// and kernel row i becomes a kernel-3 conv1d on the flat signal shifted by i (W + 2); the padded columns are cropped
/// after. "rows" runs one SimdConv1d per kernel row and sums; "stacked" concatenates the three shifted signals as
/// channels and runs one SimdConv1d with 3C input channels. Each is checked against float64 conv2d (output and the
/// input, weight and bias gradients), then timed forward + backward against libtorch's conv2d, alternating, by
/// process CPU time per conv (best and median of N samples of 10 convs each); "kernel" is the stacked SimdConv1d
/// call alone on inputs built beforehand, to tell the kernel's time from the pad, cat and crop around it.
/// </summary>
internal static class Conv2dBench
{
    internal const int Batch = 64;

    // Convs per timed sample (the result is per conv): one conv takes about a millisecond.
    private const int Inner = 10;

    // SimpleCnn's two convs for cnn_micro (8, 16 channels) and cnn_tiny (16, 32), 32x32 inputs: the first on the
    // input image (no input gradient in training), the second after a 2x2 max pool.
    internal static readonly (string Name, int C, int O, int Size, bool InputGrad)[] Shapes =
    [
        ("micro conv1", 1, 8, 32, false),
        ("micro conv2", 8, 16, 16, true),
        ("tiny conv1", 1, 16, 32, false),
        ("tiny conv2", 16, 32, 16, true),
    ];

    public static int Run(int threads, int repeats)
    {
        set_num_threads(threads);
        manual_seed(0);
        Console.WriteLine(
            $"one 3x3 conv2d (padding 1), batch {Batch}, forward + backward, {threads} threads, {repeats} alternating samples of {Inner} convs, process CPU ms per conv best/median, SimdConv at {SimdConv1d.VectorWidth}, libtorch {__version__}, oneDNN active: {Nsmt.Neural.Engine.EngineGuard.OneDnnActive}"
        );
        Console.WriteLine(
            "  shape              | max rel err rows / stacked (out gx gw gb)   | libtorch best  med | rows best  med | stacked best  med | kernel best  med | lib/rows lib/stacked (best)"
        );
        var worst = 0.0;
        foreach (var (name, c, o, size, inputGrad) in Shapes)
        {
            using var scope = NewDisposeScope();
            var x = randn(Batch, c, size, size).requires_grad_();
            var w = (randn(o, c, 3, 3) / Math.Sqrt(c * 9)).requires_grad_();
            var b = (randn(o) * 0.1).requires_grad_();
            var g = randn(Batch, o, size, size);

            var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
            var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
            var b64 = b.detach().to(ScalarType.Float64).requires_grad_();
            F.conv2d(x64, w64, b64, padding: [1, 1]).backward([g.to(ScalarType.Float64)]);

            double[] Check(Func<Tensor, Tensor, Tensor, Tensor> conv)
            {
                var y = conv(x, w, b);
                y.backward([g]);
                double Err(Tensor ours, Tensor reference) =>
                    (ours.to(ScalarType.Float64) - reference).abs().max().item<double>()
                    / Math.Max(1e-30, reference.abs().max().item<double>());
                var errs = new[]
                {
                    Err(y, F.conv2d(x64, w64, b64, padding: [1, 1]).detach()),
                    Err(x.grad!, x64.grad!),
                    Err(w.grad!, w64.grad!),
                    Err(b.grad!, b64.grad!),
                };
                x.grad = null;
                w.grad = null;
                b.grad = null;
                return errs;
            }

            var rowsErr = Check(Rows);
            var stackedErr = Check(Stacked);
            worst = Math.Max(worst, rowsErr.Concat(stackedErr).Max());

            // As in training: the first conv's input (the spectrogram) needs no gradient.
            x.requires_grad_(inputGrad);

            // The stacked formulation's SimdConv1d call alone, on inputs built beforehand: what pad, cat and crop add.
            var kernelInput = Stacked3C(x.detach()).requires_grad_(inputGrad);
            var kernelWeight = StackedWeight(w.detach()).requires_grad_();
            var kernelGrad = randn(Batch, o, (size * (size + 2)) - 2);

            double Time(Func<Tensor, Tensor, Tensor, Tensor> conv, Tensor? grad = null)
            {
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                for (var n = 0; n < Inner; n++)
                {
                    using (NewDisposeScope())
                    {
                        conv(x, w, b).backward([grad ?? g]);
                    }

                    x.grad = null;
                    w.grad = null;
                    b.grad = null;
                    kernelInput.grad = null;
                    kernelWeight.grad = null;
                }

                process.Refresh();
                return (process.TotalProcessorTime - cpu0).TotalMilliseconds / Inner;
            }

            var (lib, rows, stacked, kernel) = (
                new List<double>(),
                new List<double>(),
                new List<double>(),
                new List<double>()
            );
            // One untimed round first: JIT and first-touch allocations.
            for (var r = -1; r < repeats; r++)
            {
                var times = (
                    Lib: Time((xi, wi, bi) => F.conv2d(xi, wi, bi, padding: [1, 1])),
                    Rows: Time(Rows),
                    Stacked: Time(Stacked),
                    Kernel: Time((_, _, bi) => SimdConv1d.Apply(kernelInput, kernelWeight, bi, 1), kernelGrad)
                );
                if (r >= 0)
                {
                    lib.Add(times.Lib);
                    rows.Add(times.Rows);
                    stacked.Add(times.Stacked);
                    kernel.Add(times.Kernel);
                }
            }

            static string Errs(double[] e) => string.Join(' ', e.Select(v => $"{v:E0}"));
            Console.WriteLine(
                $"  {name, -11} {c, 2}->{o, -2} {size}x{size} | {Errs(rowsErr)} / {Errs(stackedErr)} | {lib.Min(), 8:F2} {Median(lib), 5:F2} | {rows.Min(), 6:F2} {Median(rows), 5:F2} | {stacked.Min(), 8:F2} {Median(stacked), 5:F2} | {kernel.Min(), 7:F2} {Median(kernel), 5:F2} | {lib.Min() / rows.Min(), 5:F2}x {lib.Min() / stacked.Min(), 8:F2}x"
            );
        }

        Console.WriteLine($"worst relative error against float64: {worst:E2}");
        return worst < 1e-4 ? 0 : 1;
    }

    /// <summary>One SimdConv1d per kernel row on the flattened padded image, summed.</summary>
    private static Tensor Rows(Tensor x, Tensor w, Tensor b)
    {
        var (flat, height, width) = Flatten(x);
        var span = height * (width + 2);
        Tensor? sum = null;
        for (var i = 0; i < 3; i++)
        {
            var row = SimdConv1d.Apply(
                flat.narrow(2, i * (width + 2), span),
                w.select(2, i).contiguous(),
                i == 0 ? b : null,
                1
            );
            sum = sum is null ? row : sum + row;
        }

        return Crop(sum!, height, width);
    }

    /// <summary>The three shifted signals as 3C channels, one SimdConv1d with w as [O, 3C, 3].</summary>
    private static Tensor Stacked(Tensor x, Tensor w, Tensor b)
    {
        var (height, width) = ((int)x.size(2), (int)x.size(3));
        return Crop(SimdConv1d.Apply(Stacked3C(x), StackedWeight(w), b, 1), height, width);
    }

    private static Tensor Stacked3C(Tensor x)
    {
        var (flat, height, width) = Flatten(x);
        var span = height * (width + 2);
        return cat([.. Enumerable.Range(0, 3).Select(i => flat.narrow(2, i * (width + 2), span))], 1);
    }

    // [O, C, 3, 3] -> [O, 3C, 3], channel (i, c) = kernel row i of input channel c, matching Stacked3C.
    private static Tensor StackedWeight(Tensor w) => w.permute(0, 2, 1, 3).reshape(w.size(0), 3 * w.size(1), 3);

    // Padded to (H + 2) x (W + 2) and flattened: output (h, w) reads flat[(h + i)(W + 2) + w + j]. The outputs needed
    // end at H (W + 2) - 3, so H (W + 2) input samples per shift give H (W + 2) - 2 outputs.
    private static (Tensor Flat, int Height, int Width) Flatten(Tensor x)
    {
        var (height, width) = ((int)x.size(2), (int)x.size(3));
        var flat = F.pad(x, [1, 1, 1, 1]).reshape(x.size(0), x.size(1), (height + 2) * (width + 2));
        return (flat, height, width);
    }

    private static Tensor Crop(Tensor y, int height, int width) =>
        F.pad(y, [0, 2]).reshape(y.size(0), y.size(1), height, width + 2).narrow(3, 0, width);

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
