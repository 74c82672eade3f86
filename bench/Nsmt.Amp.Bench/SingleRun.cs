using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

/// <summary>
/// One side of bench/amp-core (ours against NAM Core, one process per measurement, as Core's driver):
/// <c>one MODEL.nam INPUT.f32 OUTPUT.f32 [--size S] [--fast-tanh] [--block N]</c>, the arguments of
/// bench/amp-core/driver/core_bench.cpp. Warm-up passes over the input (JIT tiers, caches), Reset, then the timed
/// pass; prints "process_s CPU wall_s WALL" (this thread's CPU time and wall time of the timed pass only) and writes
/// the timed pass's output as raw float32 so the script can check both sides played the same model.
/// </summary>
internal static class SingleRun
{
    public static int Run(string[] args)
    {
        var positional = new List<string>();
        var size = 1.0;
        var tanh = TanhMode.Exact;
        var block = 64;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--size":
                    size = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--block":
                    block = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--fast-tanh":
                    tanh = TanhMode.Fast;
                    break;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional.Count != 3 || block <= 0)
        {
            Console.Error.WriteLine("usage: one MODEL.nam INPUT.f32 OUTPUT.f32 [--size S] [--fast-tanh] [--block N]");
            return 2;
        }

        var engine = NamEngineFactory.Create(NamFile.Load(positional[0]), tanh, size);
        var input = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(positional[1])).ToArray();
        var output = new float[input.Length];
        var warmUps = WarmUp(engine, input, output, block);
        engine.Reset();
        var wall = Stopwatch.StartNew();
        var cpu = ThreadCpuTime.Seconds();
        Process(engine, input, output, block);
        cpu = ThreadCpuTime.Seconds() - cpu;
        wall.Stop();
        File.WriteAllBytes(positional[2], MemoryMarshal.AsBytes(output.AsSpan()).ToArray());
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"process_s {cpu:F6} wall_s {wall.Elapsed.TotalSeconds:F6} warmup_passes {warmUps}"
            )
        );
        return 0;
    }

    /// <summary>Prints the largest absolute difference of two raw float32 files of the same length.</summary>
    public static int Compare(string first, string second)
    {
        var a = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(first));
        var b = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(second));
        if (a.Length != b.Length)
        {
            Console.Error.WriteLine($"{first} has {a.Length} samples, {second} has {b.Length}");
            return 1;
        }

        double max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max_abs_diff {max:G3}"));
        return 0;
    }

    /// <summary>
    /// Warm-up passes over the input until a pass (and a pause after it) makes the JIT compile nothing new, so the
    /// timed pass runs the final optimised code. .NET compiles a method's optimised tier only after a call-counting
    /// delay that any new JIT activity extends; two fixed passes (the earlier warm-up) timed tier-0 code in most
    /// processes (A2-Lite 0.55-0.82 s against 0.16 s, bench/amp-core/RESULTS.md). Pinned to one core, the JIT's
    /// background thread only runs in the pauses. Returns the number of passes.
    /// </summary>
    private static int WarmUp(INamEngine engine, float[] input, float[] output, int block)
    {
        const int maxPasses = 12;
        for (var pass = 1; pass <= maxPasses; pass++)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            Process(engine, input, output, block);
            Thread.Sleep(300);
            if (pass >= 2 && JitInfo.GetCompiledMethodCount() == compiled)
            {
                return pass;
            }
        }

        return maxPasses;
    }

    private static void Process(INamEngine engine, float[] input, float[] output, int block)
    {
        for (var s = 0; s < input.Length; s += block)
        {
            var count = Math.Min(block, input.Length - s);
            engine.Process(input.AsSpan(s, count), output.AsSpan(s, count));
        }
    }
}
