using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// A complete NAM model: configuration plus the flat float32 weight vector in <c>.nam</c> order.
/// This is the exchange type between trainers, the <c>.nam</c> file and the engines.
/// Construction validates every rule of nam-format.md, so an instance is always loadable.
/// </summary>
public sealed class NamModel
{
    /// <summary>The version we write; every NAM Core since 2023 reads it.</summary>
    public const string CurrentVersion = "0.5.4";

    /// <param name="config">Architecture configuration.</param>
    /// <param name="weights">Flat weights in <c>.nam</c> order; the model keeps this array (no copy).</param>
    /// <param name="sampleRate">Rate the input must have (Hz); null when a file omits it (unknown).</param>
    /// <param name="metadata">Optional descriptive metadata.</param>
    /// <param name="version">Format version the model was read as (we always write <see cref="CurrentVersion"/>).</param>
    /// <exception cref="NamFormatException">A rule of the format is broken.</exception>
    public NamModel(
        NamModelConfig config,
        float[] weights,
        double? sampleRate,
        NamMetadata? metadata = null,
        string version = CurrentVersion
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        Config = config;
        Weights = weights;
        SampleRate = sampleRate;
        Metadata = metadata;
        Version = version;
        if (FindProblem() is { } problem)
        {
            throw problem;
        }
    }

    public NamModelConfig Config { get; }

    public NamArchitecture Architecture => Config.Architecture;

    /// <summary>Flat float32 weights in <c>.nam</c> order (do not modify while an engine uses them: engines copy at creation).</summary>
    public float[] Weights { get; }

    public double? SampleRate { get; }

    public NamMetadata? Metadata { get; }

    public string Version { get; }

    public int ReceptiveField => Config.ReceptiveField;

    /// <summary>Output scale the engine applies: Core uses the last weight, not <c>config.head_scale</c>.</summary>
    public float EffectiveHeadScale => Config is WaveNetConfig or ExtendedWaveNetConfig ? Weights[^1] : 1f;

    public NamModel WithMetadata(NamMetadata? metadata) => new(Config, Weights, SampleRate, metadata, Version);

    /// <summary>
    /// The model NAM Core plays at slimmable size <paramref name="size"/> in [0, 1] (SetSlimmableSize): a
    /// SlimmableContainer's first submodel whose max_value is above the size (else its last; Core passes the
    /// size on to no submodel), a slimmable WaveNet sliced to the channels the size selects, any other
    /// model itself. Size 1 is Core's default.
    /// </summary>
    public NamModel AtSize(double size)
    {
        if (!(size >= 0 && size <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the slimmable size must be in [0, 1]");
        }

        switch (Config)
        {
            case SlimmableContainerConfig container:
                return container.SubmodelForSize(size).Model;
            case ExtendedWaveNetConfig { IsSlimmable: true } wavenet:
                var (sliced, weights) = wavenet.Slice(wavenet.ChannelsForSize(size), Weights);
                var played = sliced with
                {
                    LayerArrays = sliced.LayerArrays.Select(a => a with { SlimmableChannels = null }).ToArray(),
                };
                return new NamModel(played, weights, SampleRate, Metadata, Version);
            default:
                return this;
        }
    }

    /// <summary>
    /// Every model this one plays at some slimmable size, smallest first, each with the lowest size that selects it
    /// (Core's semantics, see <see cref="AtSize"/>): a SlimmableContainer's submodels (sizes from the previous
    /// max_value), a slimmable WaveNet's channel counts (size k/n picks the k-th allowed count), else itself at 1.
    /// </summary>
    public IReadOnlyList<SlimmableWidth> Widths()
    {
        switch (Config)
        {
            case SlimmableContainerConfig container:
                return container
                    .Submodels.Select(
                        (s, i) => new SlimmableWidth(i == 0 ? 0 : container.Submodels[i - 1].MaxValue, s.Model)
                    )
                    .ToList();
            case ExtendedWaveNetConfig { IsSlimmable: true } wavenet:
                var steps = wavenet.LayerArrays.Max(a => a.SlimmableChannels?.Count ?? 1);
                return Enumerable
                    .Range(0, steps)
                    .Select(k => (double)k / steps)
                    .DistinctBy(size => string.Join(',', wavenet.ChannelsForSize(size)))
                    .Select(size => new SlimmableWidth(size, AtSize(size)))
                    .ToList();
            default:
                return [new SlimmableWidth(1, this)];
        }
    }

    private NamFormatException? FindProblem()
    {
        if (!NamVersion.IsSupported(Version))
        {
            return new NamFormatException(
                null,
                "version",
                $"unsupported version '{Version}' ({NamVersion.SupportedDescription})"
            );
        }

        if (Config.FindProblem() is { } configProblem)
        {
            return configProblem;
        }

        if (Weights.Length != Config.ParameterCount)
        {
            return new NamFormatException(
                null,
                "weights",
                $"expected exactly {Config.ParameterCount} weights for this {Architecture.ToFileValue()} config, got {Weights.Length}"
            );
        }

        for (var i = 0; i < Weights.Length; i++)
        {
            if (!float.IsFinite(Weights[i]))
            {
                return new NamFormatException(null, $"weights[{i}]", $"must be finite, got {Weights[i]}");
            }
        }

        if (SampleRate is { } rate && !(double.IsFinite(rate) && rate > 0))
        {
            return new NamFormatException(null, "sample_rate", $"must be a positive number, got {rate}");
        }

        return null;
    }
}
