using System.Diagnostics;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Architectures;

// Real-time factor of the streaming engines: one thread, fixed block size, 48 kHz.
// Usage: dotnet run -c Release --project bench/Nsmt.Amp.Bench [-- --block 64 --seconds 10 --tanh exact|fast]
int block = 64;
double seconds = 10;
var mode = TanhMode.Exact;
for (int i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--block": block = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--tanh": mode = Enum.Parse<TanhMode>(args[++i], ignoreCase: true); break;
    }
}

const int sampleRate = 48000;
var models = new List<(string Name, NamModelConfig Config)>
{
    ("WaveNet standard", NamPresets.WaveNet(WaveNetPreset.Standard)),
    ("WaveNet lite", NamPresets.WaveNet(WaveNetPreset.Lite)),
    ("WaveNet feather", NamPresets.WaveNet(WaveNetPreset.Feather)),
    ("WaveNet nano", NamPresets.WaveNet(WaveNetPreset.Nano)),
    ("LSTM standard", NamPresets.Lstm(LstmPreset.Standard)),
    ("LSTM lite", NamPresets.Lstm(LstmPreset.Lite)),
    ("LSTM feather", NamPresets.Lstm(LstmPreset.Feather)),
    ("LSTM nano", NamPresets.Lstm(LstmPreset.Nano)),
};

// A guitar-like test signal: decaying plucked partials plus a little noise, peak about 0.5.
int length = (int)(seconds * sampleRate);
var input = new float[length];
var random = new Random(1);
for (int n = 0; n < length; n++)
{
    double t = (n % sampleRate) / (double)sampleRate;
    input[n] = (float)((0.4 * Math.Exp(-3 * t) * Math.Sin(2 * Math.PI * 110 * t)) + (0.1 * Math.Sin(2 * Math.PI * 330 * t)) + (0.01 * (random.NextDouble() - 0.5)));
}

var output = new float[length];
Console.WriteLine($"block {block}, {seconds} s of 48 kHz audio per run, tanh {mode}, one thread, best of 5 runs");
Console.WriteLine("wall = elapsed time; cpu = this thread's CPU time (less sensitive to other processes on a shared machine)");
Console.WriteLine($"{"model",-18} {"params",8} {"x RT (wall)",12} {"x RT (cpu)",11} {"ns/sample",10}");
foreach (var (name, config) in models)
{
    var model = new NamModel(config, NamWeightInitializer.CreateRandom(config, seed: 7), sampleRate);
    var engine = NamEngineFactory.Create(model, mode);
    double best = double.MaxValue, bestCpu = double.MaxValue;
    for (int run = 0; run < 6; run++)
    {
        engine.Reset();
        double cpuStart = ThreadCpuTime.Seconds();
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < length; start += block)
        {
            int count = Math.Min(block, length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        watch.Stop();
        double cpu = ThreadCpuTime.Seconds() - cpuStart;
        if (run > 0)
        {
            // Run 0 warms up the JIT (tiered compilation) and caches.
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
            bestCpu = Math.Min(bestCpu, cpu);
        }
    }

    Console.WriteLine($"{name,-18} {config.ParameterCount,8:N0} {seconds / best,12:F1} {seconds / bestCpu,11:F1} {best * 1e9 / length,10:F1}");
}
