using System.Text.Json;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Format;

/// <summary>Which keys of a 0.6 layer array <see cref="ExtendedWaveNetWriter"/> writes.</summary>
public enum WaveNetKeySet
{
    /// <summary>Every 0.6 key, per-layer values as lists, inactive blocks included: what NAM's trainer exports for A2.</summary>
    Complete,

    /// <summary>
    /// A1's keys in their 0.6 form (input_size, condition_size, head, channels, kernel_size, dilations, activation,
    /// layer1x1), a per-layer value as one value where every layer has the same, and of the other keys only those whose
    /// value differs from the reader's default (bottleneck, head1x1, groups, active FiLM blocks, gating, slimmable).
    /// </summary>
    Compact,
}

/// <summary>
/// Writes a 0.6/0.7 WaveNet model object (version, metadata, architecture, config, weights, sample_rate) from its
/// <see cref="ExtendedWaveNetConfig"/>: the inverse of <see cref="ExtendedWaveNetReader"/>, whose keys and defaults
/// it follows. Used for A2 <c>.nam</c> files and knob WaveNet files.
/// </summary>
public static class ExtendedWaveNetWriter
{
    /// <summary>
    /// The model object (a condition DSP nested as one more); the config must have no post-stack head (nothing we
    /// train has one).
    /// </summary>
    public static void WriteModel(Utf8JsonWriter w, NamModel model, WaveNetKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(w);
        JsonSerializer.Serialize(w, ToJson(model, keys), AmpFormatJsonContext.Default.NamFileJson);
    }

    /// <summary>The model object's record (see <see cref="WriteModel"/>).</summary>
    internal static NamFileJson ToJson(NamModel model, WaveNetKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not ExtendedWaveNetConfig { PostHead: null } config)
        {
            throw new ArgumentException("a 0.6 WaveNet without a post-stack head is expected", nameof(model));
        }

        return new NamFileJson(
            model.Version,
            model.Metadata,
            "WaveNet",
            new ExtendedWaveNetConfigJson
            {
                Layers = [.. config.LayerArrays.Select(a => LayerArray(a, keys))],
                HeadScale = config.HeadScale,
                ConditionDsp = config.ConditionDsp is { } conditionDsp ? ToJson(conditionDsp, keys) : null,
            },
            model.Weights,
            model.SampleRate
        );
    }

    /// <summary>One layer array, in the key order of NAM's trainer.</summary>
    private static ExtendedLayerArrayJson LayerArray(ExtendedLayerArrayConfig a, WaveNetKeySet keys)
    {
        var complete = keys == WaveNetKeySet.Complete;
        var oneKernelSize = !complete && a.KernelSizes.Distinct().Count() == 1;
        var oneActivation = !complete && a.Activations.Distinct().Count() == 1;
        // Inactive, head1x1 still carries out_channels and groups; the reader's defaults are C and 1.
        var head1x1 = complete || a.Head1x1Active || a.Head1x1OutChannels != a.Channels || a.Head1x1Groups != 1;
        var groups = complete || a.GroupsInput != 1 || a.GroupsInputMixin != 1;
        var gating = complete || a.GatingModes.Any(m => m != GatingMode.None);
        return new ExtendedLayerArrayJson
        {
            InputSize = a.InputSize,
            ConditionSize = a.ConditionSize,
            Head = new LayerArrayHeadJson(
                a.HeadSize,
                a.HeadKernelSize,
                a.HeadBias,
                a.HeadDilation != 1 ? a.HeadDilation : null
            ),
            Channels = a.Channels,
            KernelSize = oneKernelSize ? a.KernelSizes[0] : null,
            KernelSizes = oneKernelSize ? null : a.KernelSizes,
            Dilations = a.Dilations,
            Activation = oneActivation ? NameOrActivation(a.Activations[0]) : a.Activations.Select(Activation).ToList(),
            Bottleneck = complete || a.Bottleneck != a.Channels ? a.Bottleneck : null,
            Head1x1 = head1x1 ? new Head1x1Json(a.Head1x1Active, a.Head1x1OutChannels, a.Head1x1Groups) : null,
            Layer1x1 = new Layer1x1Json(a.Layer1x1Active, a.Layer1x1Groups),
            GroupsInput = groups ? a.GroupsInput : null,
            GroupsInputMixin = groups ? a.GroupsInputMixin : null,
            ConvPreFilm = Film(a, FilmPosition.ConvPre, complete),
            ConvPostFilm = Film(a, FilmPosition.ConvPost, complete),
            InputMixinPreFilm = Film(a, FilmPosition.InputMixinPre, complete),
            InputMixinPostFilm = Film(a, FilmPosition.InputMixinPost, complete),
            ActivationPreFilm = Film(a, FilmPosition.ActivationPre, complete),
            ActivationPostFilm = Film(a, FilmPosition.ActivationPost, complete),
            Layer1x1PostFilm = Film(a, FilmPosition.Layer1x1Post, complete),
            Head1x1PostFilm = Film(a, FilmPosition.Head1x1Post, complete),
            GatingMode = gating ? [.. a.GatingModes.Select(GatingName)] : null,
            SecondaryActivation = gating
                ? [.. a.SecondaryActivations.Select(x => x is null ? null : Activation(x))]
                : null,
            Slimmable = complete || a.SlimmableChannels is not null ? Slimmable(a.SlimmableChannels) : null,
        };
    }

    /// <summary>A FiLM block, written when active or in the complete key set; an inactive one as NAM's trainer writes it (the reader ignores its shift and groups).</summary>
    private static FilmJson? Film(ExtendedLayerArrayConfig a, FilmPosition position, bool complete)
    {
        var film = a.Film(position);
        return complete || film.Active
            ? new FilmJson(film.Active, !film.Active || film.Shift, film.Active ? film.Groups : 1)
            : null;
    }

    private static string GatingName(GatingMode mode) =>
        mode switch
        {
            GatingMode.None => "none",
            GatingMode.Gated => "gated",
            GatingMode.Blended => "blended",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown gating mode"),
        };

    private static object Slimmable(IReadOnlyList<int>? allowed) =>
        allowed is null
            ? JsonNullValue.Instance
            : new SlimmableJson(ExtendedWaveNetReader.SlimmableMethod, new SlimmableKwargsJson(allowed));

    /// <summary>
    /// An activation's name alone where its object would carry no parameter (the compact key set's one activation), else
    /// the object.
    /// </summary>
    private static object NameOrActivation(NamActivation activation)
    {
        var json = Activation(activation);
        return json == new ActivationJson { Type = activation.FileName } ? activation.FileName : json;
    }

    /// <summary>
    /// An activation object with the parameters its kind uses and any other that differs from Core's default
    /// (<c>{"type": "LeakyReLU", "negative_slope": s}</c>). Parameters are the float32 widened to double (the reader
    /// takes them back exactly).
    /// </summary>
    private static ActivationJson Activation(NamActivation activation)
    {
        var kind = activation.Kind;
        var defaults = new NamActivation { Kind = kind };
        // Core reads PReLU's per-channel slopes only when negative_slope is absent.
        var slopes = kind == NamActivationKind.PReLU ? activation.NegativeSlopes : null;
        var hardtanh = kind == NamActivationKind.LeakyHardtanh;
        double? Parameter(float value, float defaultValue, bool used) =>
            used || !value.Equals(defaultValue) ? value : null;
        return new ActivationJson
        {
            Type = activation.FileName,
            NegativeSlope = slopes is null
                ? Parameter(
                    activation.NegativeSlope,
                    defaults.NegativeSlope,
                    kind is NamActivationKind.LeakyReLU or NamActivationKind.PReLU
                )
                : null,
            MinVal = Parameter(activation.MinValue, defaults.MinValue, hardtanh),
            MaxVal = Parameter(activation.MaxValue, defaults.MaxValue, hardtanh),
            MinSlope = Parameter(activation.MinSlope, defaults.MinSlope, hardtanh),
            MaxSlope = Parameter(activation.MaxSlope, defaults.MaxSlope, hardtanh),
            NegativeSlopes = slopes?.Select(slope => (double)slope).ToList(),
        };
    }
}
