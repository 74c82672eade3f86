using System.Globalization;
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
        ArgumentNullException.ThrowIfNull(model);
        if (model.Config is not ExtendedWaveNetConfig { PostHead: null } config)
        {
            throw new ArgumentException("a 0.6 WaveNet without a post-stack head is expected", nameof(model));
        }

        w.WriteStartObject();
        w.WriteString("version", model.Version);
        if (model.Metadata is { } metadata)
        {
            w.WritePropertyName("metadata");
            NamMetadataWriter.Write(w, metadata);
        }

        w.WriteString("architecture", "WaveNet");
        w.WriteStartObject("config");
        w.WriteStartArray("layers");
        foreach (var array in config.LayerArrays)
        {
            WriteLayerArray(w, array, keys);
        }

        w.WriteEndArray();
        w.WriteNull("head");
        w.WriteNumber("head_scale", config.HeadScale);
        if (config.ConditionDsp is { } conditionDsp)
        {
            w.WritePropertyName("condition_dsp");
            WriteModel(w, conditionDsp, keys);
        }

        w.WriteEndObject();
        w.WriteStartArray("weights");
        foreach (var v in model.Weights)
        {
            // "R" keeps every float32 exactly (a shortest round-trip form).
            w.WriteRawValue(v.ToString("R", CultureInfo.InvariantCulture));
        }

        w.WriteEndArray();
        if (model.SampleRate is { } sampleRate)
        {
            w.WriteNumber("sample_rate", sampleRate);
        }

        w.WriteEndObject();
    }

    /// <summary>One layer array object, in the key order of NAM's trainer.</summary>
    public static void WriteLayerArray(Utf8JsonWriter w, ExtendedLayerArrayConfig a, WaveNetKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(a);
        var complete = keys == WaveNetKeySet.Complete;
        w.WriteStartObject();
        w.WriteNumber("input_size", a.InputSize);
        w.WriteNumber("condition_size", a.ConditionSize);
        w.WriteStartObject("head");
        w.WriteNumber("out_channels", a.HeadSize);
        w.WriteNumber("kernel_size", a.HeadKernelSize);
        w.WriteBoolean("bias", a.HeadBias);
        if (a.HeadDilation != 1)
        {
            w.WriteNumber("head_dilation", a.HeadDilation);
        }

        w.WriteEndObject();
        w.WriteNumber("channels", a.Channels);
        if (!complete && a.KernelSizes.Distinct().Count() == 1)
        {
            w.WriteNumber("kernel_size", a.KernelSizes[0]);
        }
        else
        {
            IntArray(w, "kernel_sizes", a.KernelSizes);
        }

        IntArray(w, "dilations", a.Dilations);
        w.WritePropertyName("activation");
        if (!complete && a.Activations.Distinct().Count() == 1)
        {
            WriteActivation(w, a.Activations[0], nameOnly: true);
        }
        else
        {
            w.WriteStartArray();
            foreach (var activation in a.Activations)
            {
                WriteActivation(w, activation, nameOnly: false);
            }

            w.WriteEndArray();
        }

        if (complete || a.Bottleneck != a.Channels)
        {
            w.WriteNumber("bottleneck", a.Bottleneck);
        }

        // Inactive, head1x1 still carries out_channels and groups; the reader's defaults are C and 1.
        if (complete || a.Head1x1Active || a.Head1x1OutChannels != a.Channels || a.Head1x1Groups != 1)
        {
            w.WriteStartObject("head1x1");
            w.WriteBoolean("active", a.Head1x1Active);
            w.WriteNumber("out_channels", a.Head1x1OutChannels);
            w.WriteNumber("groups", a.Head1x1Groups);
            w.WriteEndObject();
        }

        w.WriteStartObject("layer1x1");
        w.WriteBoolean("active", a.Layer1x1Active);
        w.WriteNumber("groups", a.Layer1x1Groups);
        w.WriteEndObject();
        if (complete || a.GroupsInput != 1 || a.GroupsInputMixin != 1)
        {
            w.WriteNumber("groups_input", a.GroupsInput);
            w.WriteNumber("groups_input_mixin", a.GroupsInputMixin);
        }

        foreach (var position in Enum.GetValues<FilmPosition>())
        {
            var film = a.Film(position);
            if (complete || film.Active)
            {
                w.WriteStartObject(ExtendedLayerArrayConfig.FilmKey(position));
                w.WriteBoolean("active", film.Active);
                // An inactive block as NAM's trainer writes it (the reader ignores its shift and groups).
                w.WriteBoolean("shift", !film.Active || film.Shift);
                w.WriteNumber("groups", film.Active ? film.Groups : 1);
                w.WriteEndObject();
            }
        }

        if (complete || a.GatingModes.Any(m => m != GatingMode.None))
        {
            WriteGating(w, a);
        }

        if (complete || a.SlimmableChannels is not null)
        {
            WriteSlimmable(w, a.SlimmableChannels);
        }

        w.WriteEndObject();
    }

    private static void WriteGating(Utf8JsonWriter w, ExtendedLayerArrayConfig a)
    {
        w.WriteStartArray("gating_mode");
        foreach (var mode in a.GatingModes)
        {
            w.WriteStringValue(
                mode switch
                {
                    GatingMode.None => "none",
                    GatingMode.Gated => "gated",
                    GatingMode.Blended => "blended",
                    _ => throw new ArgumentOutOfRangeException(nameof(a), mode, "unknown gating mode"),
                }
            );
        }

        w.WriteEndArray();
        w.WriteStartArray("secondary_activation");
        foreach (var secondary in a.SecondaryActivations)
        {
            if (secondary is null)
            {
                w.WriteNullValue();
            }
            else
            {
                WriteActivation(w, secondary, nameOnly: false);
            }
        }

        w.WriteEndArray();
    }

    private static void WriteSlimmable(Utf8JsonWriter w, IReadOnlyList<int>? allowed)
    {
        if (allowed is null)
        {
            w.WriteNull("slimmable");
            return;
        }

        w.WriteStartObject("slimmable");
        w.WriteString("method", ExtendedWaveNetReader.SlimmableMethod);
        w.WriteStartObject("kwargs");
        IntArray(w, "allowed_channels", allowed);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// An activation object with the parameters its kind uses and any other that differs from Core's default
    /// (<c>{"type": "LeakyReLU", "negative_slope": s}</c>), or, with <paramref name="nameOnly"/> and no parameter to
    /// write, its name alone. Parameters are the float32 widened to double (the reader takes them back exactly).
    /// </summary>
    private static void WriteActivation(Utf8JsonWriter w, NamActivation activation, bool nameOnly)
    {
        var kind = activation.Kind;
        var defaults = new NamActivation { Kind = kind };
        // Core reads PReLU's per-channel slopes only when negative_slope is absent.
        var slopes = kind == NamActivationKind.PReLU ? activation.NegativeSlopes : null;
        var hardtanh = kind == NamActivationKind.LeakyHardtanh;
        (string Key, float Value, float Default, bool Used)[] all =
        [
            (
                "negative_slope",
                activation.NegativeSlope,
                defaults.NegativeSlope,
                kind is NamActivationKind.LeakyReLU or NamActivationKind.PReLU
            ),
            ("min_val", activation.MinValue, defaults.MinValue, hardtanh),
            ("max_val", activation.MaxValue, defaults.MaxValue, hardtanh),
            ("min_slope", activation.MinSlope, defaults.MinSlope, hardtanh),
            ("max_slope", activation.MaxSlope, defaults.MaxSlope, hardtanh),
        ];
        var parameters = all.Where(p =>
                (p.Used || !p.Value.Equals(p.Default)) && !(slopes is not null && p.Key == "negative_slope")
            )
            .ToList();
        if (nameOnly && parameters.Count == 0 && slopes is null)
        {
            w.WriteStringValue(activation.FileName);
            return;
        }

        w.WriteStartObject();
        w.WriteString("type", activation.FileName);
        foreach (var p in parameters)
        {
            w.WriteNumber(p.Key, (double)p.Value);
        }

        if (slopes is not null)
        {
            w.WriteStartArray("negative_slopes");
            foreach (var slope in slopes)
            {
                w.WriteNumberValue((double)slope);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void IntArray(Utf8JsonWriter w, string name, IReadOnlyList<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }
}
