using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// One layer array of a 0.6/0.7 WaveNet (NAM "A2" and every option NAM Core 0.5.5 reads), with
/// per-layer lists resolved (a single <c>kernel_size</c>, activation or gating mode in the file is
/// repeated for every layer). Legacy keys map onto it: <c>head_size</c>/<c>head_bias</c> = a head of
/// kernel 1; <c>gated: true</c> = gating mode Gated with a Sigmoid secondary.
/// </summary>
public sealed record ExtendedLayerArrayConfig
{
    public required int InputSize { get; init; }

    /// <summary>Rows of the condition (1: the raw input; else the condition DSP's outputs).</summary>
    public int ConditionSize { get; init; } = 1;

    /// <summary>C: channels of the residual stream.</summary>
    public required int Channels { get; init; }

    /// <summary>B: channels inside a layer (conv outputs B, or 2B when gated/blended); must equal C without layer1x1.</summary>
    public required int Bottleneck { get; init; }

    public required IReadOnlyList<int> KernelSizes { get; init; }

    public required IReadOnlyList<int> Dilations { get; init; }

    public required IReadOnlyList<NamActivation> Activations { get; init; }

    public required IReadOnlyList<GatingMode> GatingModes { get; init; }

    /// <summary>Per layer: the gate/blend activation (null where the layer's gating mode is None).</summary>
    public required IReadOnlyList<NamActivation?> SecondaryActivations { get; init; }

    /// <summary>Output channels of the array's head conv (<c>head.out_channels</c> or legacy <c>head_size</c>).</summary>
    public required int HeadSize { get; init; }

    public int HeadKernelSize { get; init; } = 1;

    public int HeadDilation { get; init; } = 1;

    public required bool HeadBias { get; init; }

    public int GroupsInput { get; init; } = 1;

    public int GroupsInputMixin { get; init; } = 1;

    public bool Layer1x1Active { get; init; } = true;

    public int Layer1x1Groups { get; init; } = 1;

    public bool Head1x1Active { get; init; }

    /// <summary>head1x1's output channels (Core's default when absent: C).</summary>
    public int Head1x1OutChannels { get; init; }

    public int Head1x1Groups { get; init; } = 1;

    /// <summary>The eight FiLM blocks, by <see cref="FilmPosition"/> (absent: all inactive).</summary>
    public IReadOnlyDictionary<FilmPosition, FilmConfig> Films { get; init; } =
        new Dictionary<FilmPosition, FilmConfig>();

    /// <summary>Channel counts this array may be sliced to (<c>slimmable.kwargs.allowed_channels</c>); null when not slimmable.</summary>
    public IReadOnlyList<int>? SlimmableChannels { get; init; }

    public int LayerCount => Dilations.Count;

    /// <summary>Rows each layer adds to the head accumulator: head1x1's outputs, else B.</summary>
    public int HeadInputSize => Head1x1Active ? Head1x1OutChannels : Bottleneck;

    public FilmConfig Film(FilmPosition position) =>
        Films.TryGetValue(position, out var film) ? film : FilmConfig.Inactive;

    /// <summary>Output rows of layer <paramref name="layer"/>'s dilated conv and input mixin: 2B when gated or blended.</summary>
    public int ConvOutputChannels(int layer) => GatingModes[layer] == GatingMode.None ? Bottleneck : 2 * Bottleneck;

    /// <summary>Samples of history this array looks back: sum of (K-1)*d over the layers, plus the head conv's.</summary>
    internal long HistoryLength64 =>
        Enumerable.Range(0, LayerCount).Sum(l => (KernelSizes[l] - 1L) * Dilations[l])
        + ((HeadKernelSize - 1L) * HeadDilation);

    /// <summary>Channels of the signal a FiLM block modulates (its conv has this many outputs, twice with shift).</summary>
    public int FilmTargetChannels(FilmPosition position, int layer) =>
        position switch
        {
            FilmPosition.ConvPre => Channels,
            FilmPosition.InputMixinPre => ConditionSize,
            FilmPosition.ConvPost or FilmPosition.InputMixinPost or FilmPosition.ActivationPre => ConvOutputChannels(
                layer
            ),
            FilmPosition.ActivationPost => Bottleneck,
            FilmPosition.Layer1x1Post => Channels,
            FilmPosition.Head1x1Post => Head1x1OutChannels,
            _ => throw new ArgumentOutOfRangeException(nameof(position), position, null),
        };

    /// <summary>Whether the block has weights: Core builds the 1x1 post-FiLMs only where their 1x1 exists.</summary>
    public bool FilmHasWeights(FilmPosition position) =>
        Film(position).Active
        && position switch
        {
            FilmPosition.Layer1x1Post => Layer1x1Active,
            FilmPosition.Head1x1Post => Head1x1Active,
            _ => true,
        };

    public bool Equals(ExtendedLayerArrayConfig? other) =>
        other is not null
        && InputSize == other.InputSize
        && ConditionSize == other.ConditionSize
        && Channels == other.Channels
        && Bottleneck == other.Bottleneck
        && HeadSize == other.HeadSize
        && HeadKernelSize == other.HeadKernelSize
        && HeadDilation == other.HeadDilation
        && HeadBias == other.HeadBias
        && GroupsInput == other.GroupsInput
        && GroupsInputMixin == other.GroupsInputMixin
        && Layer1x1Active == other.Layer1x1Active
        && Layer1x1Groups == other.Layer1x1Groups
        && Head1x1Active == other.Head1x1Active
        && Head1x1OutChannels == other.Head1x1OutChannels
        && Head1x1Groups == other.Head1x1Groups
        && KernelSizes.SequenceEqual(other.KernelSizes)
        && Dilations.SequenceEqual(other.Dilations)
        && Activations.SequenceEqual(other.Activations)
        && GatingModes.SequenceEqual(other.GatingModes)
        && SecondaryActivations.SequenceEqual(other.SecondaryActivations)
        && Enum.GetValues<FilmPosition>().All(p => Film(p) == other.Film(p))
        && (SlimmableChannels ?? []).SequenceEqual(other.SlimmableChannels ?? [])
        && (SlimmableChannels is null) == (other.SlimmableChannels is null);

    public override int GetHashCode() =>
        HashCode.Combine(InputSize, Channels, Bottleneck, HeadSize, LayerCount, HeadKernelSize);

    /// <summary>Rules that concern this array alone (Core's, plus the limits); chain rules live in <see cref="ExtendedWaveNetConfig"/>.</summary>
    internal NamFormatException? FindProblem(string field)
    {
        string? Range(string key, long value, long max, string limit) =>
            NamLimits.OutOfRange(value, max, limit) is { } problem ? $"{key}|{problem}" : null;

        string?[] ranges =
        [
            Range("input_size", InputSize, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("condition_size", ConditionSize, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("channels", Channels, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("bottleneck", Bottleneck, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("head.out_channels", HeadSize, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("head.kernel_size", HeadKernelSize, NamLimits.MaxKernelSize, nameof(NamLimits.MaxKernelSize)),
            Range("head.head_dilation", HeadDilation, NamLimits.MaxDilation, nameof(NamLimits.MaxDilation)),
            Range("groups_input", GroupsInput, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("groups_input_mixin", GroupsInputMixin, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Range("layer1x1.groups", Layer1x1Groups, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
            Head1x1Active
                ? Range(
                    "head1x1.out_channels",
                    Head1x1OutChannels,
                    NamLimits.MaxChannels,
                    nameof(NamLimits.MaxChannels)
                )
                : null,
            Range("head1x1.groups", Head1x1Groups, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)),
        ];
        if (ranges.FirstOrDefault(r => r is not null) is { } range)
        {
            var parts = range.Split('|', 2);
            return new NamFormatException(null, $"{field}.{parts[0]}", parts[1]);
        }

        if (LayerCount == 0 || LayerCount > NamLimits.MaxLayersPerArray)
        {
            return new NamFormatException(
                null,
                $"{field}.dilations",
                $"must list 1 to {NamLimits.MaxLayersPerArray} dilations (NamLimits.MaxLayersPerArray), got {LayerCount}"
            );
        }

        foreach (
            var (name, count) in new (string, int)[]
            {
                ("kernel_sizes", KernelSizes.Count),
                ("activation", Activations.Count),
                ("gating_mode", GatingModes.Count),
                ("secondary_activation", SecondaryActivations.Count),
            }
        )
        {
            if (count != LayerCount)
            {
                return new NamFormatException(
                    null,
                    $"{field}.{name}",
                    $"must have one entry per layer ({LayerCount}, the length of dilations), got {count}"
                );
            }
        }

        for (var l = 0; l < LayerCount; l++)
        {
            if (Range($"dilations[{l}]", Dilations[l], NamLimits.MaxDilation, nameof(NamLimits.MaxDilation)) is { } d)
            {
                return new NamFormatException(null, $"{field}.dilations[{l}]", d.Split('|', 2)[1]);
            }

            if (
                Range($"kernel_sizes[{l}]", KernelSizes[l], NamLimits.MaxKernelSize, nameof(NamLimits.MaxKernelSize)) is
                { } k
            )
            {
                return new NamFormatException(null, $"{field}.kernel_sizes[{l}]", k.Split('|', 2)[1]);
            }

            if (GatingModes[l] != GatingMode.None && SecondaryActivations[l] is null)
            {
                return new NamFormatException(
                    null,
                    $"{field}.secondary_activation[{l}]",
                    $"a {GatingModes[l]} layer needs a secondary activation"
                );
            }

            if (CheckSlopes(Activations[l], Bottleneck, $"{field}.activation[{l}]") is { } primary)
            {
                return primary;
            }

            if (
                SecondaryActivations[l] is { } secondary
                && CheckSlopes(secondary, Bottleneck, $"{field}.secondary_activation[{l}]") is { } second
            )
            {
                return second;
            }
        }

        if (!Layer1x1Active && Bottleneck != Channels)
        {
            return new NamFormatException(
                null,
                $"{field}.bottleneck",
                $"must equal channels ({Channels}) when layer1x1.active is false, got {Bottleneck}"
            );
        }

        if (Film(FilmPosition.Layer1x1Post).Active && !Layer1x1Active)
        {
            return new NamFormatException(
                null,
                $"{field}.layer1x1_post_film",
                "cannot be active when layer1x1.active is false"
            );
        }

        if (Film(FilmPosition.Head1x1Post).Active && !Head1x1Active)
        {
            return new NamFormatException(
                null,
                $"{field}.head1x1_post_film",
                "cannot be active when head1x1.active is false"
            );
        }

        return CheckGroups(field);
    }

    private NamFormatException? CheckGroups(string field)
    {
        NamFormatException? Divides(string key, int groups, int inChannels, int outChannels) =>
            inChannels % groups == 0 && outChannels % groups == 0
                ? null
                : new NamFormatException(
                    null,
                    $"{field}.{key}",
                    $"{groups} groups must divide both the {inChannels} input and {outChannels} output channels"
                );

        for (var l = 0; l < LayerCount; l++)
        {
            var m = ConvOutputChannels(l);
            if (Divides("groups_input", GroupsInput, Channels, m) is { } input)
            {
                return input;
            }

            if (Divides("groups_input_mixin", GroupsInputMixin, ConditionSize, m) is { } mixin)
            {
                return mixin;
            }

            foreach (var position in Enum.GetValues<FilmPosition>())
            {
                var film = Film(position);
                if (!FilmHasWeights(position))
                {
                    continue;
                }

                var key = FilmKey(position);
                if (
                    NamLimits.OutOfRange(film.Groups, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is
                    { } problem
                )
                {
                    return new NamFormatException(null, $"{field}.{key}.groups", problem);
                }

                var outputs = (film.Shift ? 2 : 1) * FilmTargetChannels(position, l);
                if (Divides($"{key}.groups", film.Groups, ConditionSize, outputs) is { } filmProblem)
                {
                    return filmProblem;
                }
            }
        }

        if (Layer1x1Active && Divides("layer1x1.groups", Layer1x1Groups, Bottleneck, Channels) is { } layer1x1)
        {
            return layer1x1;
        }

        return Head1x1Active ? Divides("head1x1.groups", Head1x1Groups, Bottleneck, Head1x1OutChannels) : null;
    }

    /// <summary>PReLU's per-channel slopes must be one slope or one per channel it sees.</summary>
    internal static NamFormatException? CheckSlopes(NamActivation activation, int channels, string field) =>
        activation.NegativeSlopes is { } slopes && slopes.Count != 1 && slopes.Count != channels
            ? new NamFormatException(
                null,
                $"{field}.negative_slopes",
                $"must list 1 slope or one per channel ({channels}), got {slopes.Count}"
            )
            : null;

    /// <summary>The key of a FiLM block in a layer array object.</summary>
    public static string FilmKey(FilmPosition position) =>
        position switch
        {
            FilmPosition.ConvPre => "conv_pre_film",
            FilmPosition.ConvPost => "conv_post_film",
            FilmPosition.InputMixinPre => "input_mixin_pre_film",
            FilmPosition.InputMixinPost => "input_mixin_post_film",
            FilmPosition.ActivationPre => "activation_pre_film",
            FilmPosition.ActivationPost => "activation_post_film",
            FilmPosition.Layer1x1Post => "layer1x1_post_film",
            FilmPosition.Head1x1Post => "head1x1_post_film",
            _ => throw new ArgumentOutOfRangeException(nameof(position), position, null),
        };
}
