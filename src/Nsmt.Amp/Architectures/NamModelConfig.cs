using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// Architecture configuration of a NAM model: everything except the flat weight vector.
/// </summary>
public abstract record NamModelConfig
{
    private protected NamModelConfig() { }

    public abstract NamArchitecture Architecture { get; }

    /// <summary>Exact number of weights the flat weight vector must have.</summary>
    public abstract int ParameterCount { get; }

    /// <summary>The exact weight count in 64-bit arithmetic; only valid (bounded) configs fit in an int.</summary>
    internal abstract long WeightCount { get; }

    /// <summary>Samples of input the output depends on (1 for a recurrent model).</summary>
    public abstract int ReceptiveField { get; }

    /// <summary>Describes the flat weight vector, module by module, in <c>.nam</c> order.</summary>
    public abstract IReadOnlyList<NamWeightBlock> DescribeWeights();

    /// <summary>Throws <see cref="NamFormatException"/> naming the first broken rule.</summary>
    public void Validate()
    {
        if (FindProblem() is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>The first broken rule of the format, or null when the configuration is valid.</summary>
    internal abstract NamFormatException? FindProblem();

    /// <summary>Checked after the per-field limits, which keep <see cref="WeightCount"/> far from overflowing a long.</summary>
    private protected NamFormatException? TooManyWeights() =>
        WeightCount > NamLimits.MaxWeights
            ? new NamFormatException(
                null,
                "config",
                $"this config needs {WeightCount} weights, more than the limit of {NamLimits.MaxWeights} (NamLimits.MaxWeights)"
            )
            : null;
}

/// <summary>One module's slice of the flat weight vector.</summary>
/// <param name="Name">Module and tensor, e.g. <c>layers[0].layer[3].conv.weight</c>.</param>
/// <param name="Offset">Index of the first value in the flat weight vector.</param>
/// <param name="Length">Number of values.</param>
/// <param name="FanIn">Inputs feeding each output (for initialisation); 0 for biases and states.</param>
public sealed record NamWeightBlock(string Name, int Offset, int Length, int FanIn);
