namespace Nsmt.Amp.Architectures;

/// <summary>The architectures of the legacy (0.5.x) <c>.nam</c> format that we support.</summary>
public enum NamArchitecture
{
    /// <summary>NAM's "A1" WaveNet (JSON value <c>"WaveNet"</c>).</summary>
    WaveNet,

    /// <summary>NAM's LSTM (JSON value <c>"LSTM"</c>).</summary>
    Lstm,
}

public static class NamArchitectureExtensions
{
    /// <summary>The <c>architecture</c> value in a <c>.nam</c> file (case-sensitive).</summary>
    public static string ToFileValue(this NamArchitecture architecture) => architecture switch
    {
        NamArchitecture.WaveNet => "WaveNet",
        NamArchitecture.Lstm => "LSTM",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };
}
