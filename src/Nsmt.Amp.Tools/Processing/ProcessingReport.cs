using System.Globalization;
using System.Text;
using Nsmt.Amp.Engine;
using Nsmt.Audio;

namespace Nsmt.Amp.Processing;

/// <summary>What a processing run did; the output level is reported, never changed.</summary>
public sealed record ProcessingReport
{
    public int InputSampleRate { get; init; }

    /// <summary>Rate the model ran at (the model's <c>sample_rate</c>, or the input's when the model has none).</summary>
    public int ModelSampleRate { get; init; }

    public bool Resampled { get; init; }

    public int Channels { get; init; }

    public long Frames { get; init; }

    /// <summary>"offline, chunks of 65536 samples" or "streaming, blocks of 64 samples".</summary>
    public required string Mode { get; init; }

    public TanhMode TanhMode { get; init; }

    /// <summary>Output samples with |y| &gt; 1 (would clip in any integer format or a DAC).</summary>
    public long SamplesAboveFullScale { get; init; }

    public double OutputPeakDbfs { get; init; }

    /// <summary>Samples saturated when writing an integer WAV; 0 for float output.</summary>
    public long ClippedInFile { get; init; }

    public WavSampleFormat? OutputFormat { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Seconds of audio per second of processing.</summary>
    public double RealTimeFactor =>
        Elapsed.TotalSeconds > 0 ? Frames / (double)InputSampleRate / Elapsed.TotalSeconds : double.PositiveInfinity;

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(string.Create(c, $"processed {Frames} frames x {Channels} channel(s) at {InputSampleRate} Hz"))
            .Append(Resampled ? string.Create(c, $" (resampled to the model's {ModelSampleRate} Hz and back)") : "")
            .Append('\n');
        text.Append($"mode: {Mode}, {(TanhMode == TanhMode.Fast ? "fast tanh" : "exact tanh")}\n");
        text.Append(
            string.Create(
                c,
                $"output peak {OutputPeakDbfs:0.00} dBFS; {SamplesAboveFullScale} samples above full scale (not rescaled)"
            )
        );
        if (OutputFormat is { } format)
        {
            text.Append(string.Create(c, $"; {ClippedInFile} clipped when writing {format}"));
        }

        text.Append('\n');
        text.Append(string.Create(c, $"time {Elapsed.TotalSeconds:0.00} s ({RealTimeFactor:0.0}x real time)\n"));
        foreach (var warning in Warnings)
        {
            text.Append("warning: ").Append(warning).Append('\n');
        }

        return text.ToString();
    }
}
