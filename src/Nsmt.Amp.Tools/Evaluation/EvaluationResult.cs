using Nsmt.Amp.Capture;

namespace Nsmt.Amp.Evaluation;

/// <summary>What <see cref="AmpEvaluation"/> measured and wrote.</summary>
public sealed record EvaluationResult
{
    public required EvaluationMetrics Metrics { get; init; }

    /// <summary>The evaluated range of the aligned pair (the validation range for a capture pair).</summary>
    public SampleRange Range { get; init; }

    /// <summary>What <see cref="Range"/> is: "validation" (held out) or "whole file" (every aligned sample).</summary>
    public string RangeName { get; init; } = "validation";

    /// <summary>The model's output over <see cref="Range"/>.</summary>
    public required float[] Prediction { get; init; }

    public required string MetricsPath { get; init; }

    public IReadOnlyList<string> FigurePaths { get; init; } = [];

    /// <summary>Per sweep level: mean |model - reference| in dB over 50 Hz to 15 kHz.</summary>
    public IReadOnlyList<(string Label, double MeanAbsDifferenceDb)> SweepDifferences { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The delay the model adds relative to the target over <see cref="Range"/> (null for a prediction scored without its input).</summary>
    public ModelDelay? AddedDelay { get; init; }

    /// <summary>Every width the model plays (one for a model that is not slimmable), smallest first; empty for a prediction scored on its own.</summary>
    public IReadOnlyList<WidthScore> Widths { get; init; } = [];
}
