using System.Diagnostics;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// One width of an evaluated model (<see cref="NamModel.Widths"/>; a model that is not slimmable has one): the lowest
/// size that plays it, its preset name when it is one of NAM's, its weights, its ESR on the scored range and the
/// real-time factor of our streaming engine.
/// </summary>
public sealed record WidthScore(
    double Size,
    double? MaxSize,
    string? Preset,
    int Weights,
    double EsrNam,
    double RealTimeFactor
)
{
    /// <summary>Block size of the streaming timing: NAM plugins' common buffer (the README's speed table uses it too).</summary>
    public const int BlockSize = 64;

    /// <summary>Longest stretch timed: enough for a stable figure without timing an hour-long file.</summary>
    public const double MaxTimedSeconds = 10;

    /// <summary>Passes timed; the fastest counts (the others are the machine's noise).</summary>
    public const int TimedPasses = 3;

    /// <summary>Scores every width of <paramref name="model"/> on <paramref name="range"/> of the aligned pair.</summary>
    public static IReadOnlyList<WidthScore> Measure(
        NamModel model,
        float[] input,
        float[] target,
        int sampleRate,
        SampleRange range,
        TanhMode tanhMode
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        var widths = model.Widths();
        var scores = new List<WidthScore>(widths.Count);
        for (var i = 0; i < widths.Count; i++)
        {
            var width = widths[i].Model;
            var prediction = AmpEvaluation.Predict(width, input, sampleRate, range, tanhMode);
            var timed = Math.Min(range.Length, (int)(MaxTimedSeconds * sampleRate));
            var seconds = StreamingSeconds(width, input.AsSpan(range.Start, timed), tanhMode);
            scores.Add(
                new WidthScore(
                    widths[i].Size,
                    i + 1 < widths.Count ? widths[i + 1].Size : null,
                    NamPresetNames.Of(width),
                    width.Weights.Length,
                    Metrics.Esr(prediction, target.AsSpan(range.Start, range.Length)),
                    timed / (double)sampleRate / seconds
                )
            );
        }

        return scores;
    }

    /// <summary>Seconds the streaming engine takes for <paramref name="input"/> in blocks of <see cref="BlockSize"/>, best of <see cref="TimedPasses"/>.</summary>
    private static double StreamingSeconds(NamModel model, ReadOnlySpan<float> input, TanhMode tanhMode)
    {
        var engine = NamEngineFactory.Create(model, tanhMode);
        var output = new float[BlockSize];
        var best = double.PositiveInfinity;
        for (var pass = 0; pass < TimedPasses; pass++)
        {
            var watch = Stopwatch.StartNew();
            for (var start = 0; start < input.Length; start += BlockSize)
            {
                var count = Math.Min(BlockSize, input.Length - start);
                engine.Process(input.Slice(start, count), output.AsSpan(0, count));
            }

            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return Math.Max(best, 1e-9);
    }
}
