using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>Creates the streaming engine matching a model's architecture.</summary>
public static class NamEngineFactory
{
    /// <param name="size">
    /// Slimmable size in [0, 1], as Core's SetSlimmableSize (see <see cref="NamModel.AtSize"/>); 1 (the
    /// default) plays the full model; models that are not slimmable ignore it.
    /// </param>
    public static INamEngine Create(NamModel model, TanhMode tanhMode = TanhMode.Exact, double size = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var played = model.AtSize(size);
        return played.Config switch
        {
            WaveNetConfig => new WaveNetEngine(played, tanhMode),
            ExtendedWaveNetConfig => new ExtendedWaveNetEngine(played, tanhMode),
            LstmConfig => new LstmEngine(played, tanhMode),
            _ => throw new ArgumentOutOfRangeException(
                nameof(model),
                played.Architecture,
                "no engine for this architecture"
            ),
        };
    }
}
