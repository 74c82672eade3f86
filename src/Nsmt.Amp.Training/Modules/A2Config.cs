using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// NAM's "A2" WaveNet (the trainer's default since 2026; Core's example_models/A2.nam): one layer array of per-layer
/// kernel sizes and dilations, a LeakyReLU (or Tanh) per layer without gating, a bottleneck, an active layer1x1, and a
/// head convolution of kernel &gt; 1 over the summed activations, scaled by head_scale. Taken from a .nam 0.6/0.7
/// WaveNet config as the .nam reader parsed it (<see cref="From"/>); every 0.6 feature outside that subset (gating,
/// groups, FiLM, head1x1, condition_dsp, slimmable, several arrays, a post-stack head) is refused by name.
/// </summary>
public sealed record A2Config
{
    public required int Channels { get; init; }

    /// <summary>Channels of each layer's dilated conv and activation (Core: defaults to channels).</summary>
    public required int Bottleneck { get; init; }

    public required IReadOnlyList<int> KernelSizes { get; init; }

    public required IReadOnlyList<int> Dilations { get; init; }

    /// <summary>Per layer: the LeakyReLU slope (Core's <c>{"type": "LeakyReLU", "negative_slope": s}</c>), or null for Tanh.</summary>
    public required IReadOnlyList<double?> LeakySlopes { get; init; }

    public required int HeadKernelSize { get; init; }

    public bool HeadBias { get; init; } = true;

    public required float HeadScale { get; init; }

    public int Layers => Dilations.Count;

    /// <summary>1 + sum over layers of (K-1)*d + (head K - 1): the head conv looks back over the summed activations.</summary>
    public int ReceptiveField => 1 + Dilations.Select((d, i) => (KernelSizes[i] - 1) * d).Sum() + HeadKernelSize - 1;

    /// <summary>
    /// The .nam weight count (Core's order): rechannel C; per layer conv B*C*K + B, input mixin B, layer1x1 C*B + C;
    /// head conv B*K_head (+1); head_scale. A2-Lite 1,871, A2-Full 12,146.
    /// </summary>
    public int WeightCount =>
        Channels
        + KernelSizes.Sum(k =>
            (Bottleneck * Channels * k) + Bottleneck + Bottleneck + (Channels * Bottleneck) + Channels
        )
        + (Bottleneck * HeadKernelSize)
        + (HeadBias ? 1 : 0)
        + 1;

    /// <summary>The same architecture with another width (packed training's narrower submodels): bottleneck follows channels.</summary>
    public A2Config WithChannels(int channels) => this with { Channels = channels, Bottleneck = channels };

    /// <summary>
    /// The A2 a parsed WaveNet config describes; <paramref name="file"/> and <paramref name="at"/> (e.g. <c>config</c>
    /// or <c>presets.full</c>) name it in errors.
    /// </summary>
    /// <exception cref="NamFormatException">The config is not a WaveNet, or uses a feature outside A2 (named).</exception>
    public static A2Config From(NamModelConfig parsed, string? file, string at)
    {
        NamFormatException Refuse(string field, string problem) => new(file, $"{at}{field}", problem);
        if (parsed is not ExtendedWaveNetConfig config)
        {
            throw Refuse(
                "",
                $"an A2 is a 0.6 WaveNet (per-layer kernel sizes, activation objects, a head conv), got {parsed.GetType().Name}"
            );
        }

        if (config.PostHead is not null)
        {
            throw Refuse(".head", "a post-stack head is not part of A2 (null expected)");
        }

        if (config.ConditionDsp is not null)
        {
            throw Refuse(".condition_dsp", "is not part of A2");
        }

        if (config.LayerArrays.Count != 1)
        {
            throw Refuse(".layers", $"A2 has exactly one layer array, got {config.LayerArrays.Count}");
        }

        var a = config.LayerArrays[0];
        const string la = ".layers[0]";
        if (a.HeadSize != 1 || a.HeadDilation != 1)
        {
            throw Refuse($"{la}.head", "A2's head conv has out_channels 1 and dilation 1");
        }

        if (
            a.GroupsInput != 1
            || a.GroupsInputMixin != 1
            || a.Layer1x1Groups != 1
            || !a.Layer1x1Active
            || a.Head1x1Active
        )
        {
            throw Refuse(la, "A2 has ungrouped convs, an active layer1x1 and no head1x1");
        }

        if (a.Films.Values.Any(f => f.Active))
        {
            throw Refuse(la, "A2 has no active FiLM block");
        }

        if (a.SlimmableChannels is not null)
        {
            throw Refuse(
                $"{la}.slimmable",
                "a slimmable WaveNet is not part of A2 (null expected; A2's widths are separate submodels)"
            );
        }

        var slopes = new List<double?>(a.LayerCount);
        for (var i = 0; i < a.LayerCount; i++)
        {
            if (a.GatingModes[i] != GatingMode.None)
            {
                throw Refuse($"{la}.gating_mode[{i}]", "A2 layers are not gated: \"none\" expected");
            }

            var activation = a.Activations[i];
            slopes.Add(
                activation.Kind switch
                {
                    NamActivationKind.Tanh => null,
                    NamActivationKind.LeakyReLU => activation.NegativeSlope,
                    _ => throw Refuse(
                        $"{la}.activation[{i}]",
                        $"A2 training supports LeakyReLU and Tanh, got {activation.FileName}"
                    ),
                }
            );
        }

        return new A2Config
        {
            Channels = a.Channels,
            Bottleneck = a.Bottleneck,
            KernelSizes = a.KernelSizes,
            Dilations = a.Dilations,
            LeakySlopes = slopes,
            HeadKernelSize = a.HeadKernelSize,
            HeadBias = a.HeadBias,
            HeadScale = config.HeadScale,
        };
    }

    /// <summary>
    /// This A2 as a .nam 0.6 WaveNet config (the inverse of <see cref="From"/>) with <paramref name="headScale"/>: one
    /// array on the raw input, FiLM and head1x1 inactive (head1x1's out_channels 1, as NAM's trainer writes it).
    /// </summary>
    public ExtendedWaveNetConfig ToNamConfig(float headScale) =>
        new()
        {
            LayerArrays =
            [
                new ExtendedLayerArrayConfig
                {
                    InputSize = 1,
                    Channels = Channels,
                    Bottleneck = Bottleneck,
                    KernelSizes = KernelSizes,
                    Dilations = Dilations,
                    Activations =
                    [
                        .. LeakySlopes.Select(s =>
                            s is { } slope
                                ? new NamActivation { Kind = NamActivationKind.LeakyReLU, NegativeSlope = (float)slope }
                                : NamActivation.Tanh
                        ),
                    ],
                    GatingModes = [.. Enumerable.Repeat(GatingMode.None, Layers)],
                    SecondaryActivations = [.. Enumerable.Repeat<NamActivation?>(null, Layers)],
                    HeadSize = 1,
                    HeadKernelSize = HeadKernelSize,
                    HeadBias = HeadBias,
                    Head1x1OutChannels = 1,
                },
            ],
            HeadScale = headScale,
        };
}
