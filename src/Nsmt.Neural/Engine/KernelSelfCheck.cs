using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nsmt.Neural.Engine;

/// <summary>One float32 result that disagrees with the same computation in float64.</summary>
public sealed record KernelMismatch(string Case, string Quantity, double Error, double Scale)
{
    public override string ToString() =>
        FormattableString.Invariant($"{Case} {Quantity}: max error {Error:G3} on values up to {Scale:G3}");
}

/// <summary>
/// Runs small float32 convolutions (forward, input and weight gradients) and an LSTM step, each against the same
/// computation in float64, the way our models use them: 1 to 40 input channels (17 and 24 included, where libtorch
/// 2.10's oneDNN pads to a blocked layout on AVX-512 CPUs and reads uninitialised memory), dilations 1 and above, the
/// A1 WaveNet's and the spectral CNNs' shapes. float64 never takes the oneDNN path, so it is the reference.
/// </summary>
/// <remarks>
/// The global random state is saved and restored, so a check before seeding changes no training's numbers.
/// The tolerance is relative to the largest reference value: float32 over these sums is good to ~1e-6, while the
/// wrong kernels were off by 20-60 %, so 1e-4 separates them with room on both sides.
/// </remarks>
public static class KernelSelfCheck
{
    public const double RelativeTolerance = 1e-4;

    /// <summary>
    /// bfloat16's bound (<see cref="RunBFloat16"/>): its rounding alone is 2^-9 of a value, summed over a few dozen
    /// products; the wrong kernels were off by 20-60 % of the output's size.
    /// </summary>
    public const double BFloat16Tolerance = 5e-2;

    /// <summary>(input channels, output channels, kernel, dilation) of the conv1d cases.</summary>
    /// <remarks>
    /// Few cases, because each new shape costs oneDNN a kernel compilation (a cold check is mostly that): every one
    /// of them stands for a class of shapes. Two faults were seen on AMD Zen 5 (bench/amp-train/RESULTS.md): the
    /// forward pass is wrong at every dilation and kernel size above 1 for input channel counts above the vector width
    /// that are not a multiple of it (16 floats with AVX-512, 8 with AVX2), so 9, 17 and 24 input channels catch it on
    /// either ISA; and the input gradient is wrong for fewer than 16 output channels at dilation 1 (kernel 3), while
    /// the same shapes dilated are right, so the second array's case runs at dilation 1.
    /// </remarks>
    internal static readonly (int In, int Out, int Kernel, int Dilation)[] Conv1dCases =
    [
        (1, 16, 1, 1), // A1's input rechannel
        (16, 16, 3, 1), // A1's first array, its first layer
        (17, 16, 3, 2), // the fused mixer: 16 channels + the condition
        (9, 8, 3, 1), // the fused mixer of A1's second array, its first layer
        (24, 40, 2, 1), // the top of the range
    ];

    /// <summary>(input channels, output channels, kernel) of the conv2d cases, on 12x12 images.</summary>
    internal static readonly (int In, int Out, int Kernel)[] Conv2dCases =
    [
        (1, 16, 3), // cnn_* first layer
        (17, 24, 3),
    ];

    /// <summary>
    /// Every mismatch found (none on a correct engine) and how long the check took. The float32 side runs on
    /// <paramref name="device"/> (the CPU by default); the float64 reference always runs on the CPU (MPS has no float64).
    /// </summary>
    public static (IReadOnlyList<KernelMismatch> Mismatches, TimeSpan Elapsed) Run(Device? device = null) =>
        Checked(device, (mismatches, generator, on) =>
        {
            CheckConvolutions(mismatches, generator, on, ScalarType.Float32, Conv1dCases, Conv2dCases);
            CheckLstm(mismatches, generator, on);
        });

    /// <summary>
    /// bf16-mixed's kernels: the conv1d and conv2d cases (and 8 input channels, the spectral CNNs' second layer) in
    /// bfloat16 against float64 from the same bfloat16-rounded values (output, input, weight and bias gradients), within
    /// <see cref="BFloat16Tolerance"/>. On AMD Zen 5 with libtorch 2.10, oneDNN's bfloat16 convolutions with 1 or 8
    /// input channels were off by 20-60 % where its float32 ones at those shapes agree (bench/precision/RESULTS.md);
    /// libtorch's own bfloat16 kernels agree.
    /// </summary>
    public static (IReadOnlyList<KernelMismatch> Mismatches, TimeSpan Elapsed) RunBFloat16(Device? device = null) =>
        Checked(device, (mismatches, generator, on) =>
            CheckConvolutions(
                mismatches,
                generator,
                on,
                ScalarType.BFloat16,
                [.. Conv1dCases, (8, 16, 3, 1)],
                [.. Conv2dCases, (8, 16, 3)]
            )
        );

    /// <summary>Runs <paramref name="check"/> with its own generator, timed, leaving the global random state as it was.</summary>
    private static (IReadOnlyList<KernelMismatch> Mismatches, TimeSpan Elapsed) Checked(
        Device? device,
        Action<List<KernelMismatch>, Generator, Device> check
    )
    {
        var clock = Stopwatch.StartNew();
        var mismatches = new List<KernelMismatch>();
        var rngState = random.get_rng_state();
        try
        {
            using var noScopeLeak = NewDisposeScope();
            using var generator = new Generator(20261207);
            check(mismatches, generator, device ?? CPU);
        }
        finally
        {
            random.set_rng_state(rngState);
            rngState.Dispose();
        }

        return (mismatches, clock.Elapsed);
    }

    private static void CheckConvolutions(
        List<KernelMismatch> mismatches,
        Generator generator,
        Device device,
        ScalarType type,
        IEnumerable<(int In, int Out, int Kernel, int Dilation)> conv1d,
        IEnumerable<(int In, int Out, int Kernel)> conv2d
    )
    {
        var prefix = type == ScalarType.Float32 ? "" : "bfloat16 ";
        foreach (var (cin, cout, kernel, dilation) in conv1d)
        {
            var x = randn([2, cin, 40 + (dilation * (kernel - 1))], generator: generator);
            var w = randn([cout, cin, kernel], generator: generator) * (1.0 / Math.Sqrt(cin * kernel));
            var b = randn([cout], generator: generator);
            Compare(
                $"{prefix}conv1d {cin}->{cout} k{kernel} d{dilation}",
                (x, w, b),
                p => F.conv1d(p[0], p[1], p[2], dilation: dilation),
                mismatches,
                generator,
                device,
                type
            );
        }

        foreach (var (cin, cout, kernel) in conv2d)
        {
            var x = randn([2, cin, 12, 12], generator: generator);
            var w = randn([cout, cin, kernel, kernel], generator: generator) * (1.0 / Math.Sqrt(cin * kernel * kernel));
            var b = randn([cout], generator: generator);
            Compare(
                $"{prefix}conv2d {cin}->{cout} k{kernel}x{kernel}",
                (x, w, b),
                p => F.conv2d(p[0], p[1], p[2], padding: [1, 1]),
                mismatches,
                generator,
                device,
                type
            );
        }
    }

    /// <summary>
    /// The output and the gradients of sum(output * g) with respect to every input, in <paramref name="type"/> and in
    /// float64 from the same (<paramref name="type"/>-representable) values.
    /// </summary>
    private static void Compare(
        string name,
        (Tensor X, Tensor W, Tensor B) inputs,
        Func<Tensor[], Tensor> op,
        List<KernelMismatch> mismatches,
        Generator generator,
        Device device,
        ScalarType type
    )
    {
        Tensor[] Leaves(ScalarType leafType, Device on) =>
            [
                .. new[] { inputs.X, inputs.W, inputs.B }.Select(t =>
                    t.to(type).to(leafType).to(on).detach().requires_grad_(true)
                ),
            ];

        var tolerance = type == ScalarType.BFloat16 ? BFloat16Tolerance : RelativeTolerance;
        var single = Leaves(type, device);
        var dbl = Leaves(ScalarType.Float64, CPU);
        var y = op(single);
        var y64 = op(dbl);
        var g = randn(y.shape, generator: generator);
        (y * g.to(device)).sum().backward();
        (y64 * g.to(ScalarType.Float64)).sum().backward();
        Judge(name, "output", y, y64, mismatches, tolerance);
        string[] gradients = ["input gradient", "weight gradient", "bias gradient"];
        for (var i = 0; i < single.Length; i++)
        {
            Judge(name, gradients[i], single[i].grad!, dbl[i].grad!, mismatches, tolerance);
        }
    }

    /// <summary>NAM's 1x24 LSTM shape on a short sequence: output and the input and weight gradients.</summary>
    private static void CheckLstm(List<KernelMismatch> mismatches, Generator generator, Device device)
    {
        using var lstm = nn.LSTM(1, 24, batchFirst: true);
        using var lstm64 = nn.LSTM(1, 24, batchFirst: true);
        lstm64.to(ScalarType.Float64);
        using (no_grad())
        {
            foreach (var ((_, p), (_, p64)) in lstm.named_parameters().Zip(lstm64.named_parameters()))
            {
                p.copy_(randn(p.shape, generator: generator) * 0.3);
                p64.copy_(p.to(ScalarType.Float64));
            }
        }

        lstm.to(device);
        var x = randn([2, 32, 1], generator: generator).to(device).requires_grad_(true);
        var x64 = x.detach().cpu().to(ScalarType.Float64).requires_grad_(true);
        var (y, _, _) = lstm.call(x);
        var (y64, _, _) = lstm64.call(x64);
        var g = randn(y.shape, generator: generator);
        (y * g.to(device)).sum().backward();
        (y64 * g.to(ScalarType.Float64)).sum().backward();
        Judge("lstm 1->24", "output", y, y64, mismatches);
        Judge("lstm 1->24", "input gradient", x.grad!, x64.grad!, mismatches);
        foreach (var ((name, p), (_, p64)) in lstm.named_parameters().Zip(lstm64.named_parameters()))
        {
            Judge("lstm 1->24", $"{name} gradient", p.grad!, p64.grad!, mismatches);
        }
    }

    private static void Judge(
        string name,
        string quantity,
        Tensor single,
        Tensor reference,
        List<KernelMismatch> mismatches,
        double tolerance = RelativeTolerance
    )
    {
        var scale = reference.abs().max().item<double>();
        var error = (single.cpu().to(ScalarType.Float64) - reference).abs().max().item<double>();
        // NaN compares false: a NaN error (the padded layout read a NaN) must count as wrong.
        if (!(error <= tolerance * Math.Max(scale, 1e-6)))
        {
            mismatches.Add(new KernelMismatch(name, quantity, error, scale));
        }
    }
}
