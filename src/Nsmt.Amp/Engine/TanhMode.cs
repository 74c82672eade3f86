namespace Nsmt.Amp.Engine;

/// <summary>Which tanh (and, for LSTM, sigmoid) the engine computes.</summary>
public enum TanhMode
{
    /// <summary>Exact float32 tanh/sigmoid: what Core computes by default (and its fixtures use).</summary>
    Exact,

    /// <summary>NAM's rational approximation, which the NAM plugin switches Core to.</summary>
    Fast,
}
