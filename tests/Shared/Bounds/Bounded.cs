using System.Diagnostics;
using System.Text;

namespace Nsmt.Tests.Shared;

/// <summary>What a bounded call cost: bytes allocated on its thread and wall time.</summary>
internal sealed record Cost(long AllocatedBytes, TimeSpan Elapsed)
{
    public override string ToString() => $"{AllocatedBytes / 1e6:0.0} MB allocated in {Elapsed.TotalMilliseconds:0} ms";
}

/// <summary>
/// Runs a call that must fail fast and small on hostile input. The call runs on its own thread so that a
/// regression (an alias bomb expanding to gigabytes) fails the test at the time limit instead of hanging the run.
/// </summary>
internal static class Bounded
{
    /// <summary>Generous: refusing a hostile file allocates a few MB.</summary>
    public const long MaxAllocatedBytes = 200L << 20;

    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(5);

    /// <summary>The exception <paramref name="call"/> throws, asserting its type and the bounds.</summary>
    public static (T Error, Cost Cost) Throws<T>(Action call)
        where T : Exception
    {
        Exception? thrown = null;
        Cost? cost = null;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                call();
            }
            catch (Exception e)
            {
                thrown = e;
            }

            cost = new Cost(GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
        })
        {
            IsBackground = true,
        };
        thread.Start();
        Assert.True(thread.Join(MaxTime), $"still running after {MaxTime.TotalSeconds} s");
        Assert.True(cost!.AllocatedBytes < MaxAllocatedBytes, $"allocated {cost}");
        return (Assert.IsType<T>(thrown), cost);
    }
}

/// <summary>"Billion laughs" YAML: each level lists the previous level nine times through aliases.</summary>
internal static class YamlBombs
{
    /// <summary>Nine levels of nine: 9^9 = 387,420,489 values when expanded, 2 kB as text.</summary>
    public static string Lists(string key = "bomb", int levels = 9)
    {
        var text = new StringBuilder();
        text.Append(key).Append(":\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level < levels; level++)
        {
            text.Append($"  l{level}: &l{level} [")
                .Append(string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9)))
                .Append("]\n");
        }

        return text.ToString();
    }

    /// <summary>The same with mappings, for readers that refuse lists but walk mappings.</summary>
    public static string Mappings(string key = "bomb", int levels = 9)
    {
        var text = new StringBuilder();
        text.Append(key)
            .Append(":\n  l0: &l0 {")
            .Append(string.Join(", ", Enumerable.Range(0, 9).Select(i => $"k{i}: lol")))
            .Append("}\n");
        for (var level = 1; level < levels; level++)
        {
            text.Append($"  l{level}: &l{level} {{")
                .Append(string.Join(", ", Enumerable.Range(0, 9).Select(i => $"k{i}: *l{level - 1}")))
                .Append("}\n");
        }

        return text.ToString();
    }
}
