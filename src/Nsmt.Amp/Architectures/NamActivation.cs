namespace Nsmt.Amp.Architectures;

/// <summary>The activation functions NAM Core knows (its <c>ActivationType</c>), by their <c>.nam</c> names.</summary>
public enum NamActivationKind
{
    Tanh,
    Hardtanh,

    /// <summary>Core's rational tanh approximation, chosen by the file (<c>"Fasttanh"</c>).</summary>
    FastTanh,
    ReLU,
    LeakyReLU,
    PReLU,
    Sigmoid,

    /// <summary>x * sigmoid(x) (Swish).</summary>
    SiLU,
    Hardswish,
    LeakyHardtanh,
    Softsign,
}

/// <summary>
/// One activation of a 0.6/0.7 WaveNet layer: a name (<c>"ReLU"</c>) or an object with parameters
/// (<c>{"type": "LeakyReLU", "negative_slope": 0.01}</c>). Defaults are Core's.
/// </summary>
public sealed record NamActivation
{
    public required NamActivationKind Kind { get; init; }

    /// <summary>LeakyReLU's slope, or PReLU's single slope.</summary>
    public float NegativeSlope { get; init; } = 0.01f;

    /// <summary>PReLU's per-channel slopes (null: <see cref="NegativeSlope"/> for every channel).</summary>
    public IReadOnlyList<float>? NegativeSlopes { get; init; }

    public float MinValue { get; init; } = -1f;

    public float MaxValue { get; init; } = 1f;

    public float MinSlope { get; init; } = 0.01f;

    public float MaxSlope { get; init; } = 0.01f;

    public static NamActivation Tanh { get; } = new() { Kind = NamActivationKind.Tanh };

    public static NamActivation Sigmoid { get; } = new() { Kind = NamActivationKind.Sigmoid };

    /// <summary>The name in a <c>.nam</c> file (Core also reads "LeakyHardTanh").</summary>
    public string FileName => FileNameOf(Kind);

    public static string FileNameOf(NamActivationKind kind) =>
        kind switch
        {
            NamActivationKind.FastTanh => "Fasttanh",
            _ => kind.ToString(),
        };

    /// <summary>The kind named <paramref name="name"/> in a file (case-sensitive, as Core), or null.</summary>
    public static NamActivationKind? ParseKind(string name) =>
        name switch
        {
            "Fasttanh" => NamActivationKind.FastTanh,
            "LeakyHardTanh" => NamActivationKind.LeakyHardtanh,
            _ => Enum.TryParse<NamActivationKind>(name, ignoreCase: false, out var kind)
            && name == kind.ToString()
            && kind != NamActivationKind.FastTanh
                ? kind
                : null,
        };

    /// <summary>The slope PReLU applies to channel <paramref name="channel"/>.</summary>
    public float SlopeOf(int channel) =>
        NegativeSlopes is { Count: > 0 } slopes ? slopes[channel % slopes.Count] : NegativeSlope;

    public bool Equals(NamActivation? other) =>
        other is not null
        && Kind == other.Kind
        && NegativeSlope.Equals(other.NegativeSlope)
        && (NegativeSlopes ?? []).SequenceEqual(other.NegativeSlopes ?? [])
        && MinValue.Equals(other.MinValue)
        && MaxValue.Equals(other.MaxValue)
        && MinSlope.Equals(other.MinSlope)
        && MaxSlope.Equals(other.MaxSlope);

    public override int GetHashCode() =>
        HashCode.Combine(Kind, NegativeSlope, NegativeSlopes?.Count ?? 0, MinValue, MaxValue);
}
