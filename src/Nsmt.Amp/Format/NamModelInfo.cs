using System.Globalization;
using System.Text;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Format;

/// <summary>
/// A human-readable summary of a <c>.nam</c> model (<c>Amp info</c>): version and which players read it,
/// architecture and sizes, weights, receptive field, latency metadata and levels.
/// </summary>
public static class NamModelInfo
{
    public static string Describe(NamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = new StringBuilder();
        Line(text, 0, "version", $"{model.Version} (read by {NamVersion.Players(model.Version)})");
        DescribeModel(text, 0, model);
        return text.ToString();
    }

    private static void DescribeModel(StringBuilder text, int indent, NamModel model)
    {
        Line(text, indent, "architecture", Architecture(model.Config));
        if (model.Config is SlimmableContainerConfig container)
        {
            double from = 0;
            for (var i = 0; i < container.Submodels.Count; i++)
            {
                var submodel = container.Submodels[i];
                var upTo = i == container.Submodels.Count - 1 ? "1]" : Invariant($"{submodel.MaxValue})");
                Line(
                    text,
                    indent,
                    $"submodel {i}",
                    Invariant(
                        $"plays sizes [{from}, {upTo}{(i == container.Submodels.Count - 1 ? " (the default)" : "")}, version {submodel.Model.Version}"
                    )
                );
                DescribeModel(text, indent + 1, submodel.Model);
                from = submodel.MaxValue;
            }
        }
        else
        {
            Line(text, indent, "weights", Invariant($"{model.Weights.Length:N0}"));
            var rate = model.SampleRate is { } r
                ? Invariant($" = {(model.ReceptiveField - 1) * 1000.0 / r:0.0} ms of history")
                : "";
            Line(text, indent, "receptive field", Invariant($"{model.ReceptiveField:N0} samples{rate}"));
        }

        Line(text, indent, "sample rate", model.SampleRate is { } rateHz ? Invariant($"{rateHz} Hz") : "not stated");
        if (model.Config is ExtendedWaveNetConfig { ConditionDsp: { } dsp })
        {
            Line(text, indent, "condition_dsp", "");
            DescribeModel(text, indent + 1, dsp);
        }

        DescribeMetadata(text, indent, model.Metadata);
    }

    private static string Architecture(NamModelConfig config) =>
        config switch
        {
            LstmConfig lstm => Invariant($"LSTM, {lstm.NumLayers} layer(s) of {lstm.HiddenSize} units"),
            WaveNetConfig a1 => Invariant($"WaveNet (A1), {a1.LayerArrays.Count} layer array(s): ")
                + string.Join(
                    "; ",
                    a1.LayerArrays.Select(a =>
                        Invariant(
                            $"{a.Channels} channels, {a.Dilations.Count} layers, kernel {a.KernelSize}, {a.Activation}{(a.Gated ? " gated" : "")}, head {a.HeadSize}"
                        )
                    )
                ),
            ExtendedWaveNetConfig wavenet => Invariant(
                $"WaveNet (0.6/0.7 options), {wavenet.LayerArrays.Count} layer array(s): "
            )
                + string.Join("; ", wavenet.LayerArrays.Select(DescribeArray))
                + (
                    wavenet.PostHead is { } head
                        ? Invariant(
                            $"; post-stack head kernels [{string.Join(", ", head.KernelSizes)}], {head.Activation.FileName}"
                        )
                        : ""
                ),
            SlimmableContainerConfig container => Invariant(
                $"SlimmableContainer, {container.Submodels.Count} submodels"
            ),
            _ => config.Architecture.ToFileValue(),
        };

    private static string DescribeArray(ExtendedLayerArrayConfig a)
    {
        var parts = new List<string>
        {
            Invariant($"{a.Channels} channels"),
            Invariant($"bottleneck {a.Bottleneck}"),
            Invariant($"{a.LayerCount} layers"),
            $"kernels {Distinct(a.KernelSizes)}",
            $"{Distinct(a.Activations.Select(x => x.FileName))}",
            $"gating {Distinct(a.GatingModes.Select(g => g.ToString().ToLowerInvariant()))}",
            Invariant($"head {a.HeadSize} (kernel {a.HeadKernelSize})"),
        };
        if (a.Head1x1Active)
        {
            parts.Add(Invariant($"head1x1 {a.Head1x1OutChannels}"));
        }

        if (!a.Layer1x1Active)
        {
            parts.Add("no layer1x1");
        }

        if (a.GroupsInput > 1 || a.GroupsInputMixin > 1 || a.Layer1x1Groups > 1 || a.Head1x1Groups > 1)
        {
            parts.Add("grouped convs");
        }

        var films = Enum.GetValues<FilmPosition>()
            .Where(p => a.Film(p).Active)
            .Select(ExtendedLayerArrayConfig.FilmKey)
            .ToArray();
        if (films.Length > 0)
        {
            parts.Add($"FiLM {string.Join(", ", films)}");
        }

        if (a.SlimmableChannels is { } allowed)
        {
            parts.Add($"slimmable to [{string.Join(", ", allowed)}] channels");
        }

        return string.Join(", ", parts);
    }

    private static void DescribeMetadata(StringBuilder text, int indent, NamMetadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        string? Join(params string?[] parts) =>
            parts.Any(p => p is not null) ? string.Join(" ", parts.Where(p => p is not null)) : null;
        var levels = new List<string>();
        if (metadata.Loudness is { } loudness)
        {
            levels.Add(Invariant($"loudness {loudness:0.00} dB"));
        }

        if (metadata.Gain is { } gain)
        {
            levels.Add(Invariant($"gain {gain:0.000}"));
        }

        if (metadata.InputLevelDbu is { } input)
        {
            levels.Add(Invariant($"input {input} dBu"));
        }

        if (metadata.OutputLevelDbu is { } output)
        {
            levels.Add(Invariant($"output {output} dBu"));
        }

        if (levels.Count > 0)
        {
            Line(text, indent, "levels", string.Join(", ", levels));
        }

        if (metadata.Training?.Data?.Latency is { } latency)
        {
            var calibration = latency.Calibration;
            var delays = calibration?.Delays is { } d ? $"delays [{string.Join(", ", d)}]" : "";
            Line(
                text,
                indent,
                "latency",
                Invariant(
                        $"manual {latency.Manual?.ToString(CultureInfo.InvariantCulture) ?? "none"}, recommended {calibration?.Recommended?.ToString(CultureInfo.InvariantCulture) ?? "none"} samples {delays}"
                    )
                    .TrimEnd()
            );
        }

        if (metadata.Training?.ValidationEsr is { } esr)
        {
            Line(text, indent, "validation ESR", Invariant($"{esr:0.0000}"));
        }

        if (Join(metadata.Name, metadata.ModeledBy is { } by ? $"(modeled by {by})" : null) is { } name)
        {
            Line(text, indent, "name", name);
        }

        if (
            Join(
                metadata.GearMake,
                metadata.GearModel,
                metadata.GearType is { } type ? $"[{type}]" : null,
                metadata.ToneType
            ) is
            { } gear
        )
        {
            Line(text, indent, "gear", gear);
        }
    }

    private static string Distinct<T>(IEnumerable<T> values)
    {
        var distinct = values.Distinct().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)).ToArray();
        return distinct.Length == 1 ? distinct[0]! : $"{{{string.Join(", ", distinct)}}}";
    }

    private static void Line(StringBuilder text, int indent, string key, string value) =>
        text.Append(' ', 2 * indent).Append(key).Append(": ").Append(value).Append('\n');

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
