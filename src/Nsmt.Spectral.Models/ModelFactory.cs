using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Spectral.Models;

/// <summary>The shape of one input image (channels x height x width), taken from the dataset.</summary>
public sealed record InputShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

/// <summary>
/// An architecture name plus its settings as written in a model config (snake_case keys, text values;
/// lists as comma-separated text). The factory validates them against the architecture.
/// </summary>
public sealed record NetworkSpec(string Architecture, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>Where the spec came from, for error messages (a config file and key path).</summary>
    public string Origin { get; init; } = "model.net";
}

/// <summary>A model setting that is unknown, malformed or out of range; the message names key and expected value.</summary>
public sealed class ModelConfigException(string message) : NsmtInputException(message);

/// <summary>Builds any of the template's architectures from a <see cref="NetworkSpec"/>, sized for the dataset.</summary>
public static class ModelFactory
{
    // aux(dropout) is the auxiliary branch (null without auxiliary inputs); its dropout is half the network's, as the template's.
    private sealed record Architecture(
        string Name,
        string[] Keys,
        Func<
            SettingsReader,
            IReadOnlyList<HeadSpec>,
            InputShape,
            HeadKind,
            Func<double, AuxiliaryOptions?>,
            MultiheadNetwork
        > Build
    );

    /// <summary>Settings every architecture accepts: the auxiliary scalar inputs (the template's SimpleCNN keys).</summary>
    private static readonly string[] AuxiliaryKeys = ["auxiliary_input_size", "auxiliary_hidden_size"];

    private static readonly Architecture[] Architectures =
    [
        new("simple_cnn", ["conv1_channels", "conv2_channels", "fc_hidden", "dropout"], (s, heads, shape, kind, aux) =>
        {
            var options = new SimpleCnnOptions(
                shape.Channels,
                s.Int("conv1_channels", 64),
                s.Int("conv2_channels", 128),
                s.Int("fc_hidden", 512),
                s.Fraction("dropout", 0.5),
                shape.Height
            );
            return new SimpleCnn(options, heads, kind, aux(options.Dropout / 2));
        }),
        new(
            "vit",
            ["patch_size", "embed_dim", "n_layers", "n_attention_heads", "forward_mul", "dropout"],
            (s, heads, shape, kind, aux) =>
            {
                var options = new VisionTransformerOptions(
                    shape.Channels,
                    shape.Height,
                    shape.Width,
                    s.Int("patch_size", 8),
                    s.Int("embed_dim", 32),
                    s.Int("n_layers", 2),
                    s.Int("n_attention_heads", 4),
                    s.Int("forward_mul", 2),
                    s.Fraction("dropout", 0.2)
                );
                if (options.EmbedDim % options.AttentionHeads != 0)
                {
                    throw new ModelConfigException(
                        $"{s.Origin}.embed_dim: expected a multiple of n_attention_heads ({options.AttentionHeads}), got {options.EmbedDim}"
                    );
                }
                if (shape.Height % options.PatchSize != 0 || shape.Width % options.PatchSize != 0)
                {
                    throw new ModelConfigException(
                        $"{s.Origin}.patch_size: expected a divisor of the image size {shape.Height}x{shape.Width}, got {options.PatchSize}"
                    );
                }
                return new VisionTransformer(options, heads, kind, aux(options.Dropout / 2));
            }
        ),
        new("convnext", ["size", "depths", "dims", "drop_path_rate", "kernel_size"], (s, heads, shape, kind, aux) =>
        {
            var preset = s.Choice("size", "tiny", "tiny", "small", "base", "large") switch
            {
                "small" => ConvNeXtV2Options.Small(shape.Channels, shape.Height),
                "base" => ConvNeXtV2Options.Base(shape.Channels, shape.Height),
                "large" => ConvNeXtV2Options.Large(shape.Channels, shape.Height),
                _ => ConvNeXtV2Options.Tiny(shape.Channels, shape.Height),
            };
            var options = preset with
            {
                Depths = s.IntList("depths", preset.StageDepths, 4),
                Dims = s.IntList("dims", preset.StageDims, 4),
                DropPath = s.Fraction("drop_path_rate", 0.0),
                KernelSize = s.Int("kernel_size", 7),
            };
            return new ConvNeXtV2(options, heads, kind, aux(0));
        }),
        new("densenet", ["hidden1", "hidden2", "hidden3"], (s, heads, shape, kind, aux) =>
            new SimpleDenseNet(Dense(s, shape, 0), heads, kind, aux(0))
        ),
        new("mlp", ["hidden1", "hidden2", "hidden3", "dropout"], (s, heads, shape, kind, aux) =>
            new SimpleMlp(Dense(s, shape, s.Fraction("dropout", 0.1)), heads, kind, aux(s.Fraction("dropout", 0.1) / 2))
        ),
        new("efficientnet", ["dropout"], (s, heads, shape, kind, aux) =>
            new SimpleEfficientNet(
                new EfficientNetOptions(shape.Channels, s.Fraction("dropout", 0.2)),
                heads,
                kind,
                aux(s.Fraction("dropout", 0.2) / 2)
            )
        ),
    ];

    /// <summary>The architecture names a model config may use.</summary>
    public static IReadOnlyList<string> ArchitectureNames { get; } = [.. Architectures.Select(a => a.Name)];

    /// <summary>The setting keys an architecture accepts (what Create checks a config's settings against).</summary>
    private static IReadOnlyList<string> SettingKeys(string architecture) =>
        [.. Find(architecture, "model.architecture").Keys, .. AuxiliaryKeys];

    /// <param name="auxiliaryInputs">The number of auxiliary scalars per sample (data.auxiliary_features); 0 = none.</param>
    public static MultiheadNetwork Create(
        NetworkSpec spec,
        IReadOnlyList<HeadSpec> heads,
        InputShape shape,
        HeadKind kind = HeadKind.Classification,
        int auxiliaryInputs = 0
    )
    {
        var architecture = Find(spec.Architecture, spec.Origin);
        var reader = new SettingsReader(spec.Settings, spec.Origin);
        var keys = SettingKeys(architecture.Name);
        foreach (var key in spec.Settings.Keys)
        {
            if (!keys.Contains(key))
            {
                throw new ModelConfigException(
                    $"{spec.Origin}.{key}: unknown setting for '{architecture.Name}'"
                        + $"{NearestName.Suggestion(key, keys)}; valid: {string.Join(", ", keys)}"
                );
            }
        }
        // As the template's auto-configuration: 0 (or absent) takes the size from the data's auxiliary features.
        var declared = reader.Count("auxiliary_input_size", 0);
        if (declared != 0 && declared != auxiliaryInputs)
        {
            throw new ModelConfigException(
                $"{spec.Origin}.auxiliary_input_size: expected {auxiliaryInputs} (the number of data.auxiliary_features) "
                    + $"or 0 to take it from the data, got {declared}"
            );
        }

        var hidden = reader.Int("auxiliary_hidden_size", 32);
        return architecture.Build(reader, heads, shape, kind, dropout =>
            auxiliaryInputs > 0 ? new AuxiliaryOptions(auxiliaryInputs, hidden, dropout) : null
        );
    }

    private static Architecture Find(string name, string origin) =>
        Architectures.FirstOrDefault(a => a.Name == name)
        ?? throw new ModelConfigException(
            $"{origin}: unknown architecture '{name}'{NearestName.Suggestion(name, ArchitectureNames)}; "
                + $"expected one of {string.Join(", ", ArchitectureNames)}"
        );

    private static DenseOptions Dense(SettingsReader s, InputShape shape, double dropout) =>
        new(
            shape.Channels * shape.Height * shape.Width,
            s.Int("hidden1", 64),
            s.Int("hidden2", 128),
            s.Int("hidden3", 64),
            dropout
        );

    /// <summary>Typed access to text settings with range checks and messages naming the key.</summary>
    private sealed class SettingsReader(IReadOnlyDictionary<string, string> settings, string origin)
    {
        public string Origin => origin;

        public int Int(string key, int fallback)
        {
            if (!settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new ModelConfigException($"{origin}.{key}: expected a positive integer, got '{text}'");
        }

        public int Count(string key, int fallback)
        {
            if (!settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new ModelConfigException($"{origin}.{key}: expected an integer >= 0, got '{text}'");
        }

        public double Fraction(string key, double fallback)
        {
            if (!settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && v < 1
                ? v
                : throw new ModelConfigException($"{origin}.{key}: expected a number in [0, 1), got '{text}'");
        }

        public string Choice(string key, string fallback, params string[] allowed)
        {
            var value = settings.TryGetValue(key, out var text) ? text : fallback;
            return allowed.Contains(value)
                ? value
                : throw new ModelConfigException(
                    $"{origin}.{key}: expected one of {string.Join(", ", allowed)}, got '{value}'"
                );
        }

        public int[] IntList(string key, int[] fallback, int count)
        {
            if (!settings.TryGetValue(key, out var text))
            {
                return fallback;
            }

            var parts = text.Trim('[', ']', ' ')
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var values = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (
                    !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])
                    || values[i] <= 0
                )
                {
                    throw new ModelConfigException($"{origin}.{key}: expected {count} positive integers, got '{text}'");
                }
            }
            return values.Length == count
                ? values
                : throw new ModelConfigException($"{origin}.{key}: expected {count} positive integers, got '{text}'");
        }
    }
}
