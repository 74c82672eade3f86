using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>One entry of a SlimmableContainer: a complete model serving sizes below <see cref="MaxValue"/>.</summary>
public sealed record SlimmableSubmodel(double MaxValue, NamModel Model);

/// <summary>
/// NAM's <c>"SlimmableContainer"</c> (0.7.0, e.g. Core's A2.nam with A2-Lite and A2-Full): several
/// complete models sorted by ascending <c>max_value</c>, the last at least 1.0. A size s in [0, 1]
/// selects the first submodel with s &lt; max_value (so a submodel serves sizes BELOW its max_value),
/// else the last; the default is the last. It has no weights of its own.
/// </summary>
public sealed record SlimmableContainerConfig : NamModelConfig
{
    public required IReadOnlyList<SlimmableSubmodel> Submodels { get; init; }

    public override NamArchitecture Architecture => NamArchitecture.SlimmableContainer;

    public override int ParameterCount => 0;

    internal override long WeightCount => 0;

    /// <summary>The largest submodel's (the default one's) receptive field.</summary>
    public override int ReceptiveField => Submodels[^1].Model.ReceptiveField;

    /// <summary>The submodel Core plays at size <paramref name="size"/>.</summary>
    public SlimmableSubmodel SubmodelForSize(double size) =>
        Submodels.FirstOrDefault(s => size < s.MaxValue) ?? Submodels[^1];

    public override IReadOnlyList<NamWeightBlock> DescribeWeights() => [];

    public bool Equals(SlimmableContainerConfig? other) =>
        other is not null && Submodels.SequenceEqual(other.Submodels);

    public override int GetHashCode() => Submodels.Count;

    internal override NamFormatException? FindProblem()
    {
        if (Submodels is null || Submodels.Count == 0)
        {
            return new NamFormatException(null, "config.submodels", "must be a non-empty array");
        }

        for (var i = 0; i < Submodels.Count; i++)
        {
            if (
                !double.IsFinite(Submodels[i].MaxValue) || (i > 0 && Submodels[i].MaxValue <= Submodels[i - 1].MaxValue)
            )
            {
                return new NamFormatException(
                    null,
                    $"config.submodels[{i}].max_value",
                    "submodels must be sorted by strictly ascending, finite max_value"
                );
            }

            if (Submodels[i].Model.Config is SlimmableContainerConfig)
            {
                return new NamFormatException(
                    null,
                    $"config.submodels[{i}].model.architecture",
                    "a SlimmableContainer inside a SlimmableContainer is not supported"
                );
            }
        }

        if (Submodels[^1].MaxValue < 1.0)
        {
            return new NamFormatException(
                null,
                $"config.submodels[{Submodels.Count - 1}].max_value",
                $"the last submodel must serve size 1.0: must be >= 1.0, got {Submodels[^1].MaxValue}"
            );
        }

        var rates = Submodels.Select(s => s.Model.SampleRate).Where(r => r is not null).Distinct().ToArray();
        return rates.Length > 1
            ? new NamFormatException(
                null,
                "config.submodels",
                $"submodels must share one sample_rate, got {string.Join(", ", rates)}"
            )
            : null;
    }
}
