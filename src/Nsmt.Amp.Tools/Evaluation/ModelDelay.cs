using Nsmt.Amp.Ingest;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// The delay a model adds (issue 16): where the impulse response from the target to the model's
/// output peaks, to a fraction of a sample. A model that learned the rig's timing scores 0; one
/// trained on a late alignment learns to delay its output and scores that many samples.
/// </summary>
/// <param name="AddedDelay">Samples by which the model's output lags the target (negative: leads).</param>
/// <param name="ConfidenceDb">Peak-to-noise of that estimate (below 20 dB it is doubtful).</param>
/// <param name="ModelOnset">Where the model's response to its input starts, samples after the input.</param>
/// <param name="TargetOnset">Where the aligned target's response to the same input starts: the rig's latency left after alignment.</param>
public sealed record ModelDelay(double AddedDelay, double ConfidenceDb, int? ModelOnset, int? TargetOnset)
{
    /// <summary>Delays searched either way, samples: far more than a margin or a misalignment.</summary>
    public const int SearchSamples = 256;

    /// <summary>Measures on aligned, equally long input, target and prediction (e.g. the validation range). Null when too short or silent.</summary>
    public static ModelDelay? Measure(
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> prediction
    )
    {
        var added = LatencyDetector.DetectByCorrelation(target, prediction, SearchSamples, SearchSamples);
        if (added is null)
        {
            return null;
        }

        var model = LatencyDetector.DetectByCorrelation(input, prediction, SearchSamples, SearchSamples);
        var rig = LatencyDetector.DetectByCorrelation(input, target, SearchSamples, SearchSamples);
        return new ModelDelay(added.Latency, added.PeakToNoiseDb, model?.Onset, rig?.Onset);
    }

    public string ToText() =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"model's added delay {AddedDelay:+0.00;-0.00;0.00} samples vs the target (confidence {ConfidenceDb:0} dB); "
                + $"response starts {ModelOnset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} samples after the input (target: {TargetOnset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})"
        );
}
