// Per-operation overhead of the binding, measured with the same protocol as torch_overhead.py
// (warm-up, then the median of several timed repeats). Prints "name microseconds" lines.
using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
set_num_threads(threads);
manual_seed(0);

static double MedianMicroseconds(int iterations, Action body)
{
    for (var i = 0; i < iterations / 5; i++)
    {
        body();
    }

    var samples = new double[7];
    for (var r = 0; r < samples.Length; r++)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            body();
        }

        samples[r] = clock.Elapsed.TotalMicroseconds / iterations;
    }
    Array.Sort(samples);
    return samples[samples.Length / 2];
}

void Report(string name, double us) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {us:F3}"));

using var a = ones(1);
using var b = ones(1);
Report("add_1elem", MedianMicroseconds(20000, () =>
    {
        using var c = a + b;
    }));

using var x = randn(8, 16, 256);
var conv = nn.Conv1d(16, 16, 3, padding: 1);
Report("conv1d16_fwd_bwd", MedianMicroseconds(200, () =>
    {
        using var scope = NewDisposeScope();
        conv.zero_grad();
        conv.forward(x).sum().backward();
    }));

using var logits = randn(64, 10).requires_grad_();
using var target = randint(10, [64]);
Report("cross_entropy_fwd_bwd", MedianMicroseconds(2000, () =>
    {
        using var scope = NewDisposeScope();
        logits.grad = null;
        F.cross_entropy(logits, target).backward();
    }));

var mlp = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10));
var optimizer = optim.Adam(mlp.parameters(), lr: 1e-3);
using var inputs = randn(64, 32);
Report("mlp_train_step", MedianMicroseconds(1000, () =>
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        F.cross_entropy(mlp.forward(inputs), target).backward();
        optimizer.step();
    }));
