namespace Nsmt.Amp.Ingest;

public enum LatencyMethod
{
    Manual,
    Clicks,
    CrossCorrelation,

    /// <summary>The alignment a model was trained with, read from its <c>.nam</c> metadata.</summary>
    Model,
}

/// <summary>What latency detection found and what was chosen (samples; output behind input).</summary>
public sealed record LatencyReport
{
    /// <summary>Onset delay after each click, before the safety margin; null without our capture layout.</summary>
    public IReadOnlyList<int>? ClickDelays { get; init; }

    /// <summary>Smallest click delay (NAM uses the minimum), before the safety margin.</summary>
    public int? ClickLatency { get; init; }

    /// <summary>Clicks searched for but at least one never rose above the threshold.</summary>
    public bool ClicksNotDetected { get; init; }

    /// <summary>Threshold the output had to exceed after a click (background peak plus margin).</summary>
    public double? ClickThreshold { get; init; }

    /// <summary>Delay by cross-correlation (the peak of the estimated impulse response), to a fraction of a sample.</summary>
    public double? CorrelationLatency { get; init; }

    /// <summary>First sample of the rig's response by cross-correlation (where its impulse response rises to 30 % of the peak): what the alignment is taken from.</summary>
    public int? CorrelationOnset { get; init; }

    /// <summary>How far that peak stands above the rest of the estimate, dB (the detection's confidence; below 20 dB it is doubtful).</summary>
    public double? CorrelationConfidenceDb { get; init; }

    /// <summary>Normalised correlation at that delay, in [-1, 1]; negative when the rig inverts polarity.</summary>
    public double? CorrelationPeak { get; init; }

    public int? Manual { get; init; }

    /// <summary>The alignment used: the given latency, the model's, or the detected one less its safety margin.</summary>
    public required Alignment Alignment { get; init; }

    public LatencyMethod Method { get; init; }

    /// <summary>Where <see cref="Alignment"/> came from, as the commands that score a model say it.</summary>
    public string DescribeSource() =>
        Method switch
        {
            LatencyMethod.Manual => "given with --latency",
            LatencyMethod.Model => "the alignment the model was trained with (its metadata); --latency overrides",
            _ =>
                $"detected on this pair ({Method}, margin {Alignment.SafetyMargin}): the model carries no training alignment",
        };

    /// <summary>A click delay sat at the edge of the search window (NAM's "matches lookahead" warning).</summary>
    public bool MatchesLookahead { get; init; }

    /// <summary>Detections disagree (clicks among themselves, or clicks vs correlation).</summary>
    public bool Disagreement { get; init; }
}
