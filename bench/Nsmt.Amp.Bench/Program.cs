using System.Globalization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

// Speed of the streaming engines: one thread, fixed block size, 48 kHz, processing only (no start-up, no WAV I/O).
// Each model runs with exact and with fast tanh in the same process, interleaved, so their ratio is fair on a
// loaded machine. A2-Lite and A2-Full are NAM Core's own A2.nam (sizes 0.3 and 1.0), read from --a2 (default:
// ../shared/fixtures/nam/core-examples/A2.nam beside the repository); without it those rows are skipped.
// Usage: dotnet run -c Release --project bench/Nsmt.Amp.Bench [-- --block 64 --seconds 30 --runs 5 --all --a2 PATH]
// `one MODEL.nam ...` times one model from a file instead and `compare A.f32 B.f32` prints the largest difference of
// two raw float32 outputs, for bench/amp-core (see SingleRun).
if (args is ["one", ..])
{
    return SingleRun.Run(args[1..]);
}

if (args is ["compare", var first, var second])
{
    return SingleRun.Compare(first, second);
}

var block = 64;
double seconds = 30;
var runs = 5;
var all = false;
string? a2Path = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--block":
            block = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seconds":
            seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--a2":
            a2Path = args[++i];
            break;
        case "--all":
            all = true;
            break;
        default:
            throw new ArgumentException($"unknown option {args[i]}");
    }
}

const int sampleRate = 48000;
NamModel Random(NamModelConfig config) => new(config, NamWeightInitializer.CreateRandom(config, seed: 7), sampleRate);
var models = new List<(string Name, NamModel Model)>
{
    ("A1 standard", Random(NamPresets.WaveNet(WaveNetPreset.Standard))),
};
a2Path ??= FindA2();
if (a2Path is not null && File.Exists(a2Path))
{
    var a2 = NamFile.Load(a2Path);
    models.Add(("A2-Lite", a2.AtSize(0.3)));
    models.Add(("A2-Full", a2.AtSize(1.0)));
}
else
{
    Console.WriteLine("A2.nam not found (give --a2 PATH): A2 rows skipped");
}

if (all)
{
    models.Add(("A1 lite", Random(NamPresets.WaveNet(WaveNetPreset.Lite))));
    models.Add(("A1 feather", Random(NamPresets.WaveNet(WaveNetPreset.Feather))));
    models.Add(("A1 nano", Random(NamPresets.WaveNet(WaveNetPreset.Nano))));
    models.Add(("LSTM standard", Random(NamPresets.Lstm(LstmPreset.Standard))));
    models.Add(("LSTM nano", Random(NamPresets.Lstm(LstmPreset.Nano))));
}

// A guitar-like test signal: decaying plucked partials plus a little noise, peak about 0.5.
var length = (int)(seconds * sampleRate);
var input = new float[length];
var random = new Random(1);
for (var n = 0; n < length; n++)
{
    var t = (n % sampleRate) / (double)sampleRate;
    input[n] = (float)(
        (0.4 * Math.Exp(-3 * t) * Math.Sin(2 * Math.PI * 110 * t))
        + (0.1 * Math.Sin(2 * Math.PI * 330 * t))
        + (0.01 * (random.NextDouble() - 0.5))
    );
}

var output = new float[length];
Console.WriteLine(
    $"block {block}, {seconds} s of 48 kHz audio per run, one thread, best of {runs} runs after a warm-up run"
);
Console.WriteLine(
    "seconds = this thread's CPU time to process the audio (less sensitive than wall time to other processes)"
);
Console.WriteLine($"{"model", -14} {"weights", 8} {"exact s", 9} {"fast s", 9} {"fast/exact", 11} {"x RT exact", 11}");
foreach (var (name, model) in models)
{
    var exact = NamEngineFactory.Create(model, TanhMode.Exact);
    var fast = NamEngineFactory.Create(model, TanhMode.Fast);
    double bestExact = double.MaxValue,
        bestFast = double.MaxValue;
    for (var run = 0; run <= runs; run++)
    {
        // Run 0 warms up the JIT (tiered compilation) and caches; modes alternate so load affects both alike.
        double e = Time(exact),
            f = Time(fast);
        if (run > 0)
        {
            bestExact = Math.Min(bestExact, e);
            bestFast = Math.Min(bestFast, f);
        }
    }

    Console.WriteLine(
        string.Create(
            CultureInfo.InvariantCulture,
            $"{name, -14} {model.Weights.Length, 8:N0} {bestExact, 9:F3} {bestFast, 9:F3} {bestFast / bestExact, 11:F3} {seconds / bestExact, 11:F1}"
        )
    );
}

return 0;

double Time(INamEngine engine)
{
    engine.Reset();
    var start = ThreadCpuTime.Seconds();
    for (var s = 0; s < length; s += block)
    {
        var count = Math.Min(block, length - s);
        engine.Process(input.AsSpan(s, count), output.AsSpan(s, count));
    }

    return ThreadCpuTime.Seconds() - start;
}

static string? FindA2()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            return Path.GetFullPath(
                Path.Combine(dir.FullName, "..", "shared", "fixtures", "nam", "core-examples", "A2.nam")
            );
        }
    }

    return null;
}
