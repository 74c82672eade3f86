using System.Diagnostics;
using System.Globalization;
using Nsmt.Neural.Engine;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;
using Nsmt.Spectral.Training;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

// Run from the repository root (bench/precision/run.sh does):
//   PrecisionBench convs [--threads T]
//       bfloat16 conv1d/conv2d (forward, input and weight gradients) against float64 on the same bfloat16-rounded
//       operands, with libtorch's oneDNN on and off (set without the engine self-check: this measures it); float32 beside.
//   PrecisionBench spectral DIR --precision 32|bf16-mixed [--epochs N] [--size N] [--threads T] [--experiment E]
//       trains a spectral experiment (default trivial_micro_small: cnn_micro) on simple_saw of --size examples
//       (generated into DIR once) and prints "seconds_per_epoch S val_acc A val_loss L".
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length >= 1 && args[0] == "convs")
{
    return ConvCheck.Run((int)Option("--threads", 2));
}

if (args.Length >= 2 && args[0] == "spectral")
{
    var dir = args[1];
    var size = (int)Option("--size", 1024);
    var epochs = (int)Option("--epochs", 3);
    if (!File.Exists(Path.Combine(dir, VimhFormat.InfoFileName)))
    {
        var generator = GeneratorConfig.Load(
            Path.Combine("configs", "synth", "simple_saw.yaml"),
            [$"dataset.size={size}"]
        );
        DatasetGenerator.Generate(generator, new GenerationOptions { OutputDirectory = dir, WriteReports = false });
    }

    var dataset = VimhDataset.Load(dir);
    var config = TrainConfig.Load(
        "configs",
        OptionText("--experiment", "trivial_micro_small"),
        [
            "logger.tensorboard=false",
            "trainer.accelerator=cpu",
            $"trainer.threads={(int)Option("--threads", 2)}",
            $"trainer.min_epochs={epochs}",
            $"trainer.max_epochs={epochs}",
            $"trainer.precision={OptionText("--precision", "32")}",
        ]
    );
    var runDir = Path.Combine(Path.GetTempPath(), $"nsmt-precision-bench-{Guid.NewGuid():N}");
    try
    {
        var result = new Trainer(config).Fit(dataset, RunDirectory.At(runDir));
        Console.WriteLine(
            $"seconds_per_epoch {result.SecondsPerEpoch:0.000} val_acc {result.FinalMetrics["val/acc"]:0.0000} val_loss {result.FinalMetrics["val/loss"]:0.0000}"
        );
    }
    finally
    {
        Directory.Delete(runDir, recursive: true);
    }

    return 0;
}

Console.Error.WriteLine(
    "usage: PrecisionBench convs [--threads T] | spectral DIR --precision 32|bf16-mixed [--epochs N] [--size N] [--threads T] [--experiment E]"
);
return 2;

double Option(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string OptionText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

/// <summary>
/// Whether libtorch's bfloat16 convolutions compute right on this CPU: each case's output and gradients against float64
/// computed from the same bfloat16-rounded operands, so the only differences are the kernel's own (its accumulation and
/// the rounding of its result to bfloat16, a relative 2^-9 per element). A wrong kernel is off by order 1.
/// </summary>
internal static class ConvCheck
{
    private sealed record Case(string Name, int Dimensions, int InChannels, int OutChannels, int Kernel, int Dilation);

    private static readonly Case[] Cases =
    [
        new("conv1d 1->16 k3", 1, 1, 16, 3, 1),
        new("conv1d 16->16 k3 d8", 1, 16, 16, 3, 8),
        new("conv1d 16->32 k2 d64", 1, 16, 32, 2, 64), // A1 standard's channel count: > 16
        new("conv1d 32->32 k3 d512", 1, 32, 32, 3, 512),
        new("conv2d 1->8 3x3", 2, 1, 8, 3, 1),
        new("conv2d 8->16 3x3", 2, 8, 16, 3, 1),
        new("conv2d 16->32 3x3", 2, 16, 32, 3, 1), // cnn_tiny's second conv: > 16
        new("conv2d 32->64 3x3", 2, 32, 64, 3, 1),
    ];

    public static int Run(int threads)
    {
        set_num_threads(threads);
        Console.WriteLine(
            $"bfloat16 and float32 convolutions against float64 (relative RMS error of output, input grad, weight grad), {threads} threads"
        );
        Console.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()}");
        var worst = new Dictionary<string, double>();
        foreach (var onednn in new[] { true, false })
        {
            SetOneDnn(onednn);
            // What a bf16-mixed run's guard sees in this engine state (EngineGuard.EnsureBFloat16).
            var (found, _) = KernelSelfCheck.RunBFloat16();
            Console.WriteLine(
                $"oneDNN {(onednn ? "on" : "off")}: KernelSelfCheck.RunBFloat16 finds {found.Count} mismatch(es){(found.Count > 0 ? $", e.g. {found[0]}" : "")}"
            );
            Console.WriteLine(
                $"  {"case", -24} {"bf16 y", 9} {"bf16 dx", 9} {"bf16 dw", 9} {"f32 y", 9} {"f32 dx", 9} {"f32 dw", 9}"
            );
            foreach (var c in Cases)
            {
                var (b, f) = (Errors(c, ScalarType.BFloat16), Errors(c, ScalarType.Float32));
                Console.WriteLine(
                    $"  {c.Name, -24} {b.Y, 9:0.0e0} {b.Dx, 9:0.0e0} {b.Dw, 9:0.0e0} {f.Y, 9:0.0e0} {f.Dx, 9:0.0e0} {f.Dw, 9:0.0e0}"
                );
                var key = $"oneDNN {(onednn ? "on" : "off")} bf16";
                worst[key] = Math.Max(worst.GetValueOrDefault(key), Math.Max(b.Y, Math.Max(b.Dx, b.Dw)));
                key = $"oneDNN {(onednn ? "on" : "off")} f32";
                worst[key] = Math.Max(worst.GetValueOrDefault(key), Math.Max(f.Y, Math.Max(f.Dx, f.Dw)));
            }
        }

        foreach (var (key, value) in worst)
        {
            // bfloat16 rounding alone gives about 2^-9 / sqrt(3) relative RMS; 1e-2 leaves room for accumulation order.
            var bound = key.EndsWith("bf16", StringComparison.Ordinal) ? 1e-2 : 1e-4;
            Console.WriteLine(
                $"{key}: worst {value:0.0e0} -> {(value < bound ? "agrees" : "WRONG")} (bound {bound:0e0})"
            );
        }

        return 0;
    }

    private static (double Y, double Dx, double Dw) Errors(Case c, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(1234);
        long[] spatial = c.Dimensions == 1 ? [2048] : [32, 32];
        var x = randn([4, c.InChannels, .. spatial], generator: generator);
        long[] kernel = c.Dimensions == 1 ? [c.Kernel] : [c.Kernel, c.Kernel];
        var w =
            randn([c.OutChannels, c.InChannels, .. kernel], generator: generator)
            / Math.Sqrt(c.InChannels * Math.Pow(c.Kernel, c.Dimensions));
        // Both sides start from the same operands, rounded to the precision under test.
        var (xs, ws) = (x.to(dtype).detach().requires_grad_(), w.to(dtype).detach().requires_grad_());
        var (xd, wd) = (
            xs.detach().to(ScalarType.Float64).requires_grad_(),
            ws.detach().to(ScalarType.Float64).requires_grad_()
        );
        var y = Conv(c, xs, ws);
        var yd = Conv(c, xd, wd);
        var upstream = randn(yd.shape, generator: generator).to(ScalarType.Float64);
        y.backward([upstream.to(dtype)]);
        yd.backward([upstream]);
        return (Relative(y, yd), Relative(xs.grad!, xd.grad!), Relative(ws.grad!, wd.grad!));
    }

    private static Tensor Conv(Case c, Tensor x, Tensor w) =>
        c.Dimensions == 1 ? F.conv1d(x, w, dilation: c.Dilation) : F.conv2d(x, w, padding: [1, 1]);

    private static double Relative(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected).norm().item<double>() / expected.norm().item<double>();

    /// <summary>libtorch's oneDNN switch, without the engine self-check (whose job is to refuse what this measures).</summary>
    private static void SetOneDnn(bool on)
    {
        var engine = typeof(EngineGuard).Assembly.GetType("Nsmt.Neural.Engine.LibTorchEngine")!;
        engine.GetMethod("SetOneDnn")!.Invoke(engine.GetProperty("Instance")!.GetValue(null), [on]);
        Debug.Assert(EngineGuard.OneDnnActive == on);
    }
}
