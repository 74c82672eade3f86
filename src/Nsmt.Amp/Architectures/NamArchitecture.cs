namespace Nsmt.Amp.Architectures;

/// <summary>The <c>.nam</c> architectures we read (versions 0.5.x to 0.7.x).</summary>
public enum NamArchitecture
{
    /// <summary>NAM's WaveNet (JSON value <c>"WaveNet"</c>): A1 (<see cref="WaveNetConfig"/>) or 0.6/0.7 (<see cref="ExtendedWaveNetConfig"/>).</summary>
    WaveNet,

    /// <summary>NAM's LSTM (JSON value <c>"LSTM"</c>).</summary>
    Lstm,

    /// <summary>NAM's <c>"SlimmableContainer"</c> (0.7.0): submodels chosen by a size setting.</summary>
    SlimmableContainer,
}

public static class NamArchitectureExtensions
{
    /// <summary>The <c>architecture</c> value in a <c>.nam</c> file (case-sensitive).</summary>
    public static string ToFileValue(this NamArchitecture architecture) =>
        architecture switch
        {
            NamArchitecture.WaveNet => "WaveNet",
            NamArchitecture.Lstm => "LSTM",
            NamArchitecture.SlimmableContainer => "SlimmableContainer",
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
        };
}
