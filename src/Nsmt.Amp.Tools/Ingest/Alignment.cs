using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// The alignment of a capture pair, the one value that travels from detection (<see cref="LatencyReport.Alignment"/>)
/// through training (the checkpoint and the <c>.nam</c>'s metadata) to evaluation (<see cref="IngestOptions.TrainedAlignment"/>):
/// output sample i + <see cref="Latency"/> answered input sample i, after a <see cref="SafetyMargin"/> had been taken
/// off the detected delay (0 when the latency was given by hand). In a <c>.nam</c> these are NAM's
/// <c>metadata.training.data.latency</c> fields: <c>manual</c>, or <c>calibration.recommended</c> with the margin as
/// <c>calibration.safety_factor</c> (NAM's name for the same number of samples).
/// </summary>
public sealed record Alignment(int Latency, int SafetyMargin)
{
    /// <summary>The alignment a model was trained with, from its <c>.nam</c>; null when the model does not say.</summary>
    public static Alignment? Of(NamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Of(model.Metadata?.Training?.Data?.Latency);
    }

    /// <summary>
    /// From NAM's latency record: the manual latency when one was given, else the calibration's recommendation (NAM's
    /// rule; both are the latency used, margin included). Null when the record does not say.
    /// </summary>
    public static Alignment? Of(NamLatencyMetadata? latency)
    {
        if (latency?.Manual is { } manual)
        {
            return new Alignment(manual, 0);
        }

        return latency?.Calibration?.Recommended is { } recommended
            ? new Alignment(recommended, latency.Calibration.SafetyFactor ?? 0)
            : null;
    }
}
