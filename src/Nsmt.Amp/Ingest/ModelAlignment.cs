using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// The alignment a model was trained with: output sample i + <see cref="Latency"/> answered input
/// sample i, after a <see cref="SafetyMargin"/> had been taken off the detected delay.
/// </summary>
public sealed record ModelAlignment(int Latency, int SafetyMargin)
{
    /// <summary>
    /// From a <c>.nam</c>'s <c>metadata.training.data.latency</c> (NAM's fields, which Core ignores):
    /// the manual latency when one was given, else the calibration's recommendation (NAM's rule;
    /// both are the latency used, margin included). Null when the model does not say.
    /// </summary>
    public static ModelAlignment? Of(NamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var latency = model.Metadata?.Training?.Data?.Latency;
        if (latency?.Manual is { } manual)
        {
            return new ModelAlignment(manual, 0);
        }

        return latency?.Calibration?.Recommended is { } recommended
            ? new ModelAlignment(recommended, latency.Calibration.SafetyFactor ?? 0)
            : null;
    }
}
