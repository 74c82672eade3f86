using Nsmt.Amp.Format;

namespace Nsmt.Amp.Architectures;

/// <summary>
/// The post-stack head of a 0.6/0.7 WaveNet (<c>config.head</c>): for each kernel size, activation
/// then a causal conv with bias (dilation 1); the last conv has <see cref="OutChannels"/> outputs, the
/// others <see cref="Channels"/>. Its input is head_scale times the last array's head output.
/// </summary>
public sealed record PostStackHeadConfig(
    int Channels,
    int OutChannels,
    IReadOnlyList<int> KernelSizes,
    NamActivation Activation
)
{
    public bool Equals(PostStackHeadConfig? other) =>
        other is not null
        && Channels == other.Channels
        && OutChannels == other.OutChannels
        && KernelSizes.SequenceEqual(other.KernelSizes)
        && Activation == other.Activation;

    public override int GetHashCode() => HashCode.Combine(Channels, OutChannels, KernelSizes.Count);
}

/// <summary>
/// A WaveNet of the 0.6/0.7 <c>.nam</c> format (NAM "A2" and every option NAM Core 0.5.5 reads):
/// per-layer kernels, activations and gating, bottleneck, layer1x1/head1x1, grouped convs, FiLM, head
/// convs with kernel > 1, a post-stack head, a condition DSP and slimmable arrays. Files that use only
/// A1's keys with Tanh are read as <see cref="WaveNetConfig"/> instead (same numbers, faster engine).
/// </summary>
public sealed record ExtendedWaveNetConfig : NamModelConfig
{
    public required IReadOnlyList<ExtendedLayerArrayConfig> LayerArrays { get; init; }

    /// <summary>config.head_scale; as in A1, Core uses the LAST WEIGHT as the scale.</summary>
    public required float HeadScale { get; init; }

    public PostStackHeadConfig? PostHead { get; init; }

    /// <summary>The model whose outputs are the condition of every layer (<c>config.condition_dsp</c>); its input is the raw input.</summary>
    public NamModel? ConditionDsp { get; init; }

    /// <summary>True for the model inside another's <c>condition_dsp</c>: it may have several outputs (the condition's rows).</summary>
    public bool IsConditionDsp { get; init; }

    /// <summary>
    /// Knob values fed to the condition beside the audio (a knob WaveNet's file, not a .nam: NAM Core has no knob
    /// input): the condition is then [audio; knob 1..N], so condition_size is 1 + N. 0 for every .nam.
    /// </summary>
    public int KnobInputs { get; init; }

    public override NamArchitecture Architecture => NamArchitecture.WaveNet;

    public override int ParameterCount => checked((int)WeightCount);

    internal override long WeightCount => Modules().Sum(m => (long)m.Length) + 1;

    /// <summary>Output channels: the post head's, else the last array's head size (1 for a playable model; a condition DSP may have more).</summary>
    public int OutputChannels => PostHead?.OutChannels ?? LayerArrays[^1].HeadSize;

    /// <summary>Whether some array has <c>slimmable</c> channel counts (Core's SlimmableWavenet).</summary>
    /// <summary>Knobs a knob WaveNet may take: the streaming engine's input rows hold the audio and them.</summary>
    public const int MaxKnobInputs = 3;

    public bool IsSlimmable => LayerArrays.Any(a => a.SlimmableChannels is not null);

    /// <summary>1 + every layer's and head's (K-1)*d, plus the condition DSP's look-back.</summary>
    public override int ReceptiveField => checked((int)ReceptiveField64);

    private long ReceptiveField64 =>
        1
        + LayerArrays.Sum(a => a.HistoryLength64)
        + (PostHead?.KernelSizes.Sum(k => k - 1L) ?? 0)
        + ((ConditionDsp?.ReceptiveField ?? 1) - 1L);

    /// <summary>Samples of silence Core feeds on reset: the condition DSP's prewarm (else 1) plus every look-back.</summary>
    public int PrewarmSamples => ReceptiveField;

    /// <summary>Every convolution in weight-file order (head_scale, one more weight, follows them).</summary>
    public IEnumerable<WaveNetModule> Modules()
    {
        for (var j = 0; j < LayerArrays.Count; j++)
        {
            var a = LayerArrays[j];
            var prefix = $"layers[{j}]";
            yield return new WaveNetModule(
                $"{prefix}.rechannel",
                WaveNetModuleRole.Rechannel,
                j,
                -1,
                a.Channels,
                a.InputSize,
                1,
                1,
                1,
                false
            );
            for (var l = 0; l < a.LayerCount; l++)
            {
                var layer = $"{prefix}.layer[{l}]";
                var m = a.ConvOutputChannels(l);
                yield return new WaveNetModule(
                    $"{layer}.conv",
                    WaveNetModuleRole.Conv,
                    j,
                    l,
                    m,
                    a.Channels,
                    a.KernelSizes[l],
                    a.Dilations[l],
                    a.GroupsInput,
                    true
                );
                yield return new WaveNetModule(
                    $"{layer}.input_mixin",
                    WaveNetModuleRole.InputMixin,
                    j,
                    l,
                    m,
                    a.ConditionSize,
                    1,
                    1,
                    a.GroupsInputMixin,
                    false
                );
                if (a.Layer1x1Active)
                {
                    yield return new WaveNetModule(
                        $"{layer}.layer1x1",
                        WaveNetModuleRole.Layer1x1,
                        j,
                        l,
                        a.Channels,
                        a.Bottleneck,
                        1,
                        1,
                        a.Layer1x1Groups,
                        true
                    );
                }

                if (a.Head1x1Active)
                {
                    yield return new WaveNetModule(
                        $"{layer}.head1x1",
                        WaveNetModuleRole.Head1x1,
                        j,
                        l,
                        a.Head1x1OutChannels,
                        a.Bottleneck,
                        1,
                        1,
                        a.Head1x1Groups,
                        true
                    );
                }

                foreach (var position in Enum.GetValues<FilmPosition>())
                {
                    if (a.FilmHasWeights(position))
                    {
                        var film = a.Film(position);
                        var outputs = (film.Shift ? 2 : 1) * a.FilmTargetChannels(position, l);
                        yield return new WaveNetModule(
                            $"{layer}.{ExtendedLayerArrayConfig.FilmKey(position)}",
                            WaveNetModuleRole.Film,
                            j,
                            l,
                            outputs,
                            a.ConditionSize,
                            1,
                            1,
                            film.Groups,
                            true,
                            position
                        );
                    }
                }
            }

            yield return new WaveNetModule(
                $"{prefix}.head_rechannel",
                WaveNetModuleRole.HeadRechannel,
                j,
                -1,
                a.HeadSize,
                a.HeadInputSize,
                a.HeadKernelSize,
                a.HeadDilation,
                1,
                a.HeadBias
            );
        }

        if (PostHead is { } head)
        {
            var input = LayerArrays[^1].HeadSize;
            for (var i = 0; i < head.KernelSizes.Count; i++)
            {
                var output = i == head.KernelSizes.Count - 1 ? head.OutChannels : head.Channels;
                yield return new WaveNetModule(
                    $"head.conv[{i}]",
                    WaveNetModuleRole.PostHeadConv,
                    -1,
                    i,
                    output,
                    input,
                    head.KernelSizes[i],
                    1,
                    1,
                    true
                );
                input = output;
            }
        }
    }

    public override IReadOnlyList<NamWeightBlock> DescribeWeights()
    {
        var blocks = new List<NamWeightBlock>();
        var offset = 0;
        foreach (var module in Modules())
        {
            var fanIn = module.InPerGroup * module.KernelSize;
            blocks.Add(new NamWeightBlock($"{module.Name}.weight", offset, module.WeightLength, fanIn));
            offset += module.WeightLength;
            if (module.Bias)
            {
                blocks.Add(new NamWeightBlock($"{module.Name}.bias", offset, module.OutChannels, 0));
                offset += module.OutChannels;
            }
        }

        blocks.Add(new NamWeightBlock("head_scale", offset, 1, 0));
        return blocks;
    }

    public bool Equals(ExtendedWaveNetConfig? other) =>
        other is not null
        && HeadScale.Equals(other.HeadScale)
        && LayerArrays.SequenceEqual(other.LayerArrays)
        && Equals(PostHead, other.PostHead)
        && IsConditionDsp == other.IsConditionDsp
        && ReferenceEquals(ConditionDsp, other.ConditionDsp)
        && KnobInputs == other.KnobInputs;

    public override int GetHashCode() => HashCode.Combine(HeadScale, LayerArrays.Count);

    internal override NamFormatException? FindProblem()
    {
        if (LayerArrays is null || LayerArrays.Count == 0 || LayerArrays.Count > NamLimits.MaxLayerArrays)
        {
            return new NamFormatException(
                null,
                "config.layers",
                $"must contain 1 to {NamLimits.MaxLayerArrays} layer arrays (NamLimits.MaxLayerArrays), got {LayerArrays?.Count ?? 0}"
            );
        }

        if (!float.IsFinite(HeadScale))
        {
            return new NamFormatException(null, "config.head_scale", "must be a finite number");
        }

        if (KnobInputs < 0 || KnobInputs > MaxKnobInputs || (KnobInputs > 0 && ConditionDsp is not null))
        {
            return new NamFormatException(
                null,
                "knobs",
                $"a knob WaveNet takes 1 to {MaxKnobInputs} knobs and no condition_dsp, got {KnobInputs}"
            );
        }

        var conditionRows = ConditionDsp?.Config is ExtendedWaveNetConfig condition
            ? condition.OutputChannels
            : 1 + KnobInputs;
        for (var j = 0; j < LayerArrays.Count; j++)
        {
            var field = $"config.layers[{j}]";
            var array = LayerArrays[j];
            if (array.FindProblem(field) is { } own)
            {
                return own;
            }

            if (array.ConditionSize != conditionRows)
            {
                var source =
                    ConditionDsp is not null ? $"the condition_dsp's output channels ({conditionRows})"
                    : KnobInputs > 0 ? $"the audio plus {KnobInputs} knob(s): {conditionRows}"
                    : "the raw input: 1 (there is no condition_dsp)";
                return new NamFormatException(
                    null,
                    $"{field}.condition_size",
                    $"must equal {source}, got {array.ConditionSize}"
                );
            }

            if (
                LayerArrayChain.InputSizeProblem(field, j, array.InputSize, j > 0 ? LayerArrays[j - 1].Channels : 0) is
                { } input
            )
            {
                return input;
            }

            if (j > 0)
            {
                var previous = LayerArrays[j - 1];

                // The previous head output is copied into this array's head accumulator.
                if (array.HeadInputSize != previous.HeadSize || array.Channels != previous.HeadSize)
                {
                    return new NamFormatException(
                        null,
                        $"{field}.channels",
                        $"must equal head size of layers[{j - 1}] ({previous.HeadSize}), as must this array's head input (bottleneck or head1x1.out_channels); got {array.Channels} and {array.HeadInputSize}"
                    );
                }
            }
        }

        if (PostHead is { } head)
        {
            if (
                head.KernelSizes.Count == 0
                || head.KernelSizes.Any(k =>
                    NamLimits.OutOfRange(k, NamLimits.MaxKernelSize, nameof(NamLimits.MaxKernelSize)) is not null
                )
            )
            {
                return new NamFormatException(
                    null,
                    "config.head.kernel_sizes",
                    $"must list kernel sizes in [1, {NamLimits.MaxKernelSize}]"
                );
            }

            if (
                NamLimits.OutOfRange(head.Channels, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is
                { } channels
            )
            {
                return new NamFormatException(null, "config.head.channels", channels);
            }

            if (
                NamLimits.OutOfRange(head.OutChannels, NamLimits.MaxChannels, nameof(NamLimits.MaxChannels)) is
                { } outputs
            )
            {
                return new NamFormatException(null, "config.head.out_channels", outputs);
            }

            if (
                ExtendedLayerArrayConfig.CheckSlopes(
                    head.Activation,
                    LayerArrays[^1].HeadSize,
                    "config.head.activation"
                ) is
                { } slopes
            )
            {
                return slopes;
            }

            if (IsSlimmable)
            {
                return new NamFormatException(
                    null,
                    "config.head",
                    "a slimmable WaveNet cannot have a post-stack head (Core refuses it)"
                );
            }
        }

        if (!IsConditionDsp && OutputChannels != 1)
        {
            var where = PostHead is null
                ? $"config.layers[{LayerArrays.Count - 1}].head_size"
                : "config.head.out_channels";
            return new NamFormatException(
                null,
                where,
                $"the model produces the mono output: must be 1, got {OutputChannels}"
            );
        }

        if (IsSlimmable && FindSlimmingProblem() is { } slimming)
        {
            return slimming;
        }

        if (ReceptiveField64 > NamLimits.MaxReceptiveField)
        {
            return new NamFormatException(
                null,
                "config.layers",
                $"receptive field of {ReceptiveField64} samples is more than the limit of {NamLimits.MaxReceptiveField} (NamLimits.MaxReceptiveField)"
            );
        }

        return TooManyWeights();
    }

    private NamFormatException? FindSlimmingProblem()
    {
        for (var j = 0; j < LayerArrays.Count; j++)
        {
            var array = LayerArrays[j];
            var field = $"config.layers[{j}]";
            if (array.SlimmableChannels is not { } allowed)
            {
                continue;
            }

            if (
                allowed.Count == 0
                || allowed[^1] != array.Channels
                || allowed.Any(c => c < 1)
                || allowed.Zip(allowed.Skip(1)).Any(p => p.Second <= p.First)
            )
            {
                return new NamFormatException(
                    null,
                    $"{field}.slimmable.kwargs.allowed_channels",
                    $"must be positive, strictly ascending and end with channels ({array.Channels})"
                );
            }

            // Core slices only ungrouped convs and 1x1 heads.
            if (
                array.GroupsInput != 1
                || array.GroupsInputMixin != 1
                || (array.Layer1x1Active && array.Layer1x1Groups != 1)
                || (array.Head1x1Active && array.Head1x1Groups != 1)
                || array.HeadKernelSize != 1
                || array.Films.Values.Any(f => f.Active && f.Groups != 1)
            )
            {
                return new NamFormatException(
                    null,
                    $"{field}.slimmable",
                    "slimming needs every conv ungrouped and a head of kernel 1 (as in Core)"
                );
            }
        }

        return null;
    }

    /// <summary>
    /// The channels each array has at slimmable size <paramref name="size"/> in [0, 1], as Core picks
    /// them: allowed[min(floor(size * n), n - 1)]; arrays without allowed channels keep theirs.
    /// </summary>
    public IReadOnlyList<int> ChannelsForSize(double size) =>
        LayerArrays
            .Select(a =>
                a.SlimmableChannels is { } allowed
                    ? allowed[Math.Min((int)Math.Floor(size * allowed.Count), allowed.Count - 1)]
                    : a.Channels
            )
            .ToArray();

    /// <summary>
    /// The model sliced to <paramref name="channels"/> per array, as Core's SlimmableWavenet builds it:
    /// each conv keeps its first rows and columns; bottleneck = max(1, B * c / C) (c itself without
    /// layer1x1); inner head sizes follow the next array's channels.
    /// </summary>
    public (ExtendedWaveNetConfig Config, float[] Weights) Slice(IReadOnlyList<int> channels, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(weights);
        if (channels.SequenceEqual(LayerArrays.Select(a => a.Channels)))
        {
            return (this, weights);
        }

        var arrays = new ExtendedLayerArrayConfig[LayerArrays.Count];
        for (var j = 0; j < arrays.Length; j++)
        {
            var a = LayerArrays[j];
            var c = channels[j];
            var bottleneck = a.Layer1x1Active ? Math.Max(1, a.Bottleneck * c / a.Channels) : c;
            arrays[j] = a with
            {
                Channels = c,
                Bottleneck = bottleneck,
                InputSize = j == 0 ? a.InputSize : channels[j - 1],
                HeadSize = j < arrays.Length - 1 ? channels[j + 1] : a.HeadSize,
            };
        }

        var slim = this with { LayerArrays = arrays };
        var sliced = new List<float>();
        var offset = 0;
        foreach (var (full, cut) in Modules().Zip(slim.Modules()))
        {
            for (var r = 0; r < full.OutChannels; r++)
            {
                for (var i = 0; i < full.InChannels; i++)
                {
                    for (var k = 0; k < full.KernelSize; k++)
                    {
                        var w = weights[offset++];
                        if (r < cut.OutChannels && i < cut.InChannels)
                        {
                            sliced.Add(w);
                        }
                    }
                }
            }

            if (full.Bias)
            {
                for (var r = 0; r < full.OutChannels; r++, offset++)
                {
                    if (r < cut.OutChannels)
                    {
                        sliced.Add(weights[offset]);
                    }
                }
            }
        }

        sliced.Add(weights[offset]);
        return (slim, sliced.ToArray());
    }
}
