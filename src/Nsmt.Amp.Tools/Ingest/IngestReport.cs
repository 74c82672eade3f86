using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Ingest;

/// <summary>Everything <see cref="CapturePair.Load(string, string, IngestOptions?)"/> found and decided.</summary>
public sealed record IngestReport
{
    public required string InputName { get; init; }

    public required string OutputName { get; init; }

    /// <summary>Rate of the aligned pair.</summary>
    public int SampleRate { get; init; }

    public int InputFileSampleRate { get; init; }

    public int OutputFileSampleRate { get; init; }

    /// <summary>What was resampled, e.g. "reamp 44100 Hz -> 48000 Hz"; null when nothing was.</summary>
    public string? Resampling { get; init; }

    public int InputChannels { get; init; }

    public int OutputChannels { get; init; }

    /// <summary>How the DI became mono: "mono", "average of 2 channels" or "channel 1 of 2".</summary>
    public required string InputChannelHandling { get; init; }

    public required string OutputChannelHandling { get; init; }

    public int InputFrames { get; init; }

    public int OutputFrames { get; init; }

    /// <summary>Frames at the end of the reamp left unused after alignment (a longer reamp is trimmed).</summary>
    public int OutputFramesTrimmed { get; init; }

    public double InputGainDb { get; init; }

    /// <summary>The DI is our capture signal (clicks, validation repeat), not arbitrary audio.</summary>
    public bool StandardCaptureSignal { get; init; }

    public required LatencyReport Latency { get; init; }

    /// <summary>ESR of the first validation passage's output against the repeat's (NAM's replicate check).</summary>
    public double? ReplicateEsr { get; init; }

    public bool ReplicateFlagged { get; init; }

    public int AlignedLength { get; init; }

    public SampleRange ValidationRange { get; init; }

    public SampleRange TrainRange { get; init; }

    public double InputPeakDbfs { get; init; }

    public double OutputPeakDbfs { get; init; }

    public double InputRmsDbfs { get; init; }

    public double OutputRmsDbfs { get; init; }

    public long InputClippedSamples { get; init; }

    public long OutputClippedSamples { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>NAM's data checks: latency found, detections agree, replicates match.</summary>
    public bool ChecksPassed =>
        !ReplicateFlagged && !Latency.Disagreement && !Latency.ClicksNotDetected && !Latency.MatchesLookahead;

    /// <summary>The <c>metadata.training.data.latency</c> record a trainer writes into the <c>.nam</c> file.</summary>
    public NamLatencyMetadata ToLatencyMetadata() =>
        new()
        {
            Manual = Latency.Manual,
            Calibration = new NamLatencyCalibration
            {
                AlgorithmVersion = 1,
                Delays = Latency.ClickDelays?.ToArray() ?? (Latency.CorrelationOnset is { } c ? [c] : []),
                SafetyFactor = Latency.Alignment.SafetyMargin,
                Recommended = Latency.Alignment.Latency,
                Warnings = new NamLatencyWarnings
                {
                    MatchesLookahead = Latency.MatchesLookahead,
                    DisagreementTooHigh = Latency.Disagreement,
                    NotDetected = Latency.ClicksNotDetected,
                },
            },
        };

    /// <summary>The report as <c>Amp check --json</c> writes it (<see cref="AmpJsonContext.Report"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, AmpJsonContext.Report.IngestReport);

    /// <summary>The <c>metadata.training.data.checks</c> record (version 1 of these checks).</summary>
    public NamDataChecks ToDataChecks() => new() { Version = 1, Passed = ChecksPassed };

    /// <summary>A human-readable summary (what the <c>check</c> command prints).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        var c = CultureInfo.InvariantCulture;
        Line($"DI:     {InputName}: {InputFrames} frames, {InputFileSampleRate} Hz, {InputChannelHandling}");
        Line(
            $"reamp:  {OutputName}: {OutputFrames} frames, {OutputFileSampleRate} Hz, {OutputChannelHandling}"
                + (OutputFramesTrimmed > 0 ? $", {OutputFramesTrimmed} frames beyond the aligned DI trimmed" : "")
        );
        if (Resampling is not null)
        {
            Line($"resampled: {Resampling}");
        }

        Line(
            string.Create(
                c,
                $"levels: DI peak {InputPeakDbfs:0.0} dBFS, RMS {InputRmsDbfs:0.0} dBFS; reamp peak {OutputPeakDbfs:0.0} dBFS, RMS {OutputRmsDbfs:0.0} dBFS (never normalised)"
            )
        );
        if (InputGainDb != 0)
        {
            Line(string.Create(c, $"input gain: {InputGainDb:+0.0##;-0.0##} dB applied to the DI"));
        }

        Line(
            $"signal: {(StandardCaptureSignal ? "NSMT capture signal (clicks and validation repeat found)" : "arbitrary recording")}"
        );
        var l = Latency;
        if (l.ClickDelays is not null)
        {
            Line(
                $"latency by clicks: {(l.ClicksNotDetected ? "not detected" : string.Join(", ", l.ClickDelays) + " samples")}"
                    + (l.ClickThreshold is { } th ? string.Create(c, $" (threshold {th:G3})") : "")
            );
        }

        if (l.CorrelationLatency is { } corr)
        {
            Line(
                string.Create(
                    c,
                    $"latency by cross-correlation: response starts at {l.CorrelationOnset} samples, peaks at {corr:0.00} (confidence {l.CorrelationConfidenceDb:0.0} dB peak-to-noise; correlation {l.CorrelationPeak:0.000}{(l.CorrelationPeak < 0 ? ", polarity inverted" : "")})"
                )
            );
        }

        var method = l.Method switch
        {
            LatencyMethod.Manual => "manual override",
            LatencyMethod.Model =>
                $"the alignment the model was trained with, from its metadata (safety margin {l.Alignment.SafetyMargin}); --latency overrides",
            LatencyMethod.Clicks => $"clicks, minus a safety margin of {l.Alignment.SafetyMargin}",
            _ => $"cross-correlation, minus a safety margin of {l.Alignment.SafetyMargin}",
        };
        Line($"latency used: {l.Alignment.Latency} samples ({method})");
        if (ReplicateEsr is { } esr)
        {
            Line(
                string.Create(
                    c,
                    $"replicate ESR of the validation passages: {esr:0.000000}{(ReplicateFlagged ? " (FLAGGED: above threshold)" : " (ok)")}"
                )
            );
        }

        Line(
            string.Create(
                c,
                $"aligned: {AlignedLength} samples; train {TrainRange} ({TrainRange.Seconds(SampleRate):0.##} s); validation {ValidationRange} ({ValidationRange.Seconds(SampleRate):0.##} s)"
            )
        );
        Line($"clipped samples: DI {InputClippedSamples}, reamp {OutputClippedSamples}");
        foreach (var warning in Warnings)
        {
            Line($"warning: {warning}");
        }

        Line($"checks: {(ChecksPassed ? "passed" : "FAILED")}");
        return text.ToString();
    }
}
