using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>Creates the streaming engine matching a model's architecture.</summary>
public static class NamEngineFactory
{
    /// <param name="size">
    /// Slimmable size in [0, 1], as Core's SetSlimmableSize: a SlimmableContainer plays the first submodel
    /// whose max_value is above it (else the last); a slimmable WaveNet slices its channels. 1 (the
    /// default) plays the full model; models that are not slimmable ignore it.
    /// </param>
    public static INamEngine Create(NamModel model, TanhMode tanhMode = TanhMode.Exact, double size = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(size >= 0 && size <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the slimmable size must be in [0, 1]");
        }

        return model.Config switch
        {
            WaveNetConfig => new WaveNetEngine(model, tanhMode),
            ExtendedWaveNetConfig => new ExtendedWaveNetEngine(model, tanhMode, size),
            LstmConfig => new LstmEngine(model, tanhMode),
            // Core forwards the size to no submodel: the chosen one plays at its full size.
            SlimmableContainerConfig container => Create(container.SubmodelForSize(size).Model, tanhMode),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model.Architecture, "no engine for this architecture"),
        };
    }
}
