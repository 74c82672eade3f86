using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Engine;

/// <summary>Creates the streaming engine matching a model's architecture.</summary>
public static class NamEngineFactory
{
    public static INamEngine Create(NamModel model, TanhMode tanhMode = TanhMode.Exact)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Architecture switch
        {
            NamArchitecture.WaveNet => new WaveNetEngine(model, tanhMode),
            NamArchitecture.Lstm => new LstmEngine(model, tanhMode),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model.Architecture, "no engine for this architecture"),
        };
    }
}
