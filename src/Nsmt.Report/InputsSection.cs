using System.Globalization;
using System.Text.Json;
using Nsmt.Outputs;
using Nsmt.Plots;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Features;

namespace Nsmt.Report;

/// <summary>
/// What each spectral model sees (issue 27): its images (size, channels, how pixels map to dB) and the auxiliary
/// scalars fed beside them (data.auxiliary_features); for each experiment with auxiliary inputs, each feature's
/// distribution over the train and test splits and, where the report also holds the same run without them (same
/// config, seed and data; only data.auxiliary_features differs), the accuracy per head with and without.
/// Built from the runs' resolved config.yaml, summary.json and evaluation, and the dataset folders in the report.
/// </summary>
internal static class InputsSection
{
    public const string AnchorId = "model-inputs";
    private const string FeaturesKey = "data.auxiliary_features";
    private const int HistogramBins = 20;

    /// <summary>Keys that may differ between a run and its control without making them different experiments.</summary>
    private static readonly string[] NamingKeys = ["task_name", "tags", "choices.experiment", FeaturesKey];

    public static void Add(HtmlReport report, IReadOnlyList<SpectralExperiment> experiments)
    {
        var runs = experiments.Where(e => e.Run is not null && !SweepSection.IsTrial(e.Name)).ToList();
        if (runs.Count == 0)
        {
            return;
        }

        report.Heading("Model inputs: images and auxiliary scalars", id: AnchorId);
        report.HtmlTable(
            ["experiment", "images", "auxiliary scalars"],
            runs.Select(e =>
                (IReadOnlyList<string>)
                    [
                        HtmlReport.Breakable(HtmlReport.Encode(e.Name)),
                        HtmlReport.Encode(Images(e)),
                        HtmlReport.Encode(Features(e) is { Count: > 0 } f ? string.Join(", ", f) : "none"),
                    ]
            )
        );
        foreach (var experiment in runs.Where(e => Features(e).Count > 0))
        {
            AddAuxiliary(report, experiment, runs);
        }
    }

    /// <summary>The auxiliary features a run was trained with (its resolved data.auxiliary_features, a flow list).</summary>
    internal static IReadOnlyList<string> Features(SpectralExperiment e) =>
        e.Config.GetValueOrDefault(FeaturesKey) is { } list
            ? [.. list.Trim('[', ']').Split(',').Select(f => f.Trim().Trim('"', '\'')).Where(f => f.Length > 0)]
            : [];

    /// <summary>The images in words: size and channels, and how a pixel maps to dB (level_scaling in the info JSON).</summary>
    internal static string Images(SpectralExperiment e)
    {
        if (e.Dataset is null)
        {
            return $"{e.Config.GetValueOrDefault("data.dir") ?? e.Data ?? "unknown dataset"} (dataset not in this report)";
        }

        var info = VimhInfo.Read(Path.Combine(e.Dataset, VimhFormat.InfoFileName));
        var size = string.Create(CultureInfo.InvariantCulture, $"{info.Height}x{info.Width}x{info.Channels}");
        var mode =
            info.Json.TryGetProperty(LevelScaling.InfoKey, out var level)
            && level.ValueKind == JsonValueKind.Object
            && level.TryGetProperty("mode", out var m)
                ? m.GetString()
                : null;
        var range = mode is null ? "" : $" {Decibels(level, "db_floor")}..{Decibels(level, "db_ceiling")} dB";
        var scaling = mode switch
        {
            null => "per-image min-max (NSMT's scaling: shape without level)",
            "both" => $"channel 0 per-image min-max (shape), channel 1 fixed{range} (level)",
            _ => $"fixed{range} for every image (shape and level)",
        };
        var labels = info.ChannelLabels.Count > 0 ? $" [{string.Join(", ", info.ChannelLabels)}]" : "";
        return $"{SpectralExperiment.FolderName(e.Dataset)}: {size}{labels}, {scaling}";
    }

    private static string Decibels(JsonElement level, string key) =>
        level.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble().ToString("0.##", CultureInfo.InvariantCulture)
            : "?";

    private static void AddAuxiliary(HtmlReport report, SpectralExperiment e, IReadOnlyList<SpectralExperiment> runs)
    {
        var names = Features(e);
        report.Heading($"Auxiliary inputs of {e.Name}", 3, id: $"{AnchorId}-{HtmlReport.Slug(e.Name)}");
        var known = names.Select(n => AuxiliaryFeatures.All.FirstOrDefault(f => f.Name == n)).ToList();
        report.Html(
            "<ul>"
                + string.Concat(
                    names.Select(
                        (n, i) =>
                            $"<li><b>{HtmlReport.Encode(n)}</b>"
                            + (
                                known[i] is { } f
                                    ? $" ({HtmlReport.Encode(f.Unit)}): {HtmlReport.Encode(f.Description)}"
                                    : ": not a feature this version knows"
                            )
                            + "</li>"
                    )
                )
                + "</ul>"
        );
        AddDistributions(report, e, [.. known.OfType<AuxiliaryFeature>()]);
        AddComparison(report, e, runs);
    }

    private static void AddDistributions(
        HtmlReport report,
        SpectralExperiment e,
        IReadOnlyList<AuxiliaryFeature> features
    )
    {
        if (e.Dataset is null || features.Count == 0)
        {
            report.Paragraph("Distributions: the run's dataset is not in this report (give it with --datasets).");
            return;
        }

        var dataset = VimhDataset.Load(e.Dataset);
        var axes = SpectrogramAxes.From(dataset.Info);
        var train = AuxiliaryFeatures.Compute(features, dataset.Train, axes);
        var test = AuxiliaryFeatures.Compute(features, dataset.Test, axes);
        report.SvgRow(
            features.Select(
                (f, i) =>
                    (
                        Histogram(f, Column(train, features.Count, i), Column(test, features.Count, i)).ToSvg(520, 260),
                        (string?)$"{f.Name} ({f.Unit}): train (blue) and test (orange) samples per bin"
                    )
            )
        );
    }

    private static double[] Column(float[] values, int stride, int index) =>
        [.. Enumerable.Range(0, values.Length / stride).Select(i => (double)values[(i * stride) + index])];

    /// <summary>Train and test counts over <see cref="HistogramBins"/> equal bins spanning both splits' values.</summary>
    internal static BarChart Histogram(AuxiliaryFeature feature, double[] train, double[] test)
    {
        double min = train.Concat(test).DefaultIfEmpty(0).Min(),
            max = train.Concat(test).DefaultIfEmpty(0).Max();
        var width = max > min ? (max - min) / HistogramBins : 1;
        double[] Counts(double[] values)
        {
            var counts = new double[HistogramBins];
            foreach (var v in values)
            {
                counts[Math.Clamp((int)((v - min) / width), 0, HistogramBins - 1)]++;
            }

            return counts;
        }

        var categories = Enumerable
            .Range(0, HistogramBins)
            .Select(b => (min + ((b + 0.5) * width)).ToString("0.##", CultureInfo.InvariantCulture))
            .ToList();
        return new BarChart(categories)
        {
            Title = $"{feature.Name}: distribution",
            XLabel = $"{feature.Name} ({feature.Unit}), bin centre",
            YLabel = "samples",
        }
            .Add("train", Counts(train), Palette.At(0))
            .Add("test", Counts(test), Palette.At(1));
    }

    /// <summary>The same run without auxiliary inputs: every resolved key equal but the naming ones and the features.</summary>
    internal static SpectralExperiment? Control(SpectralExperiment e, IReadOnlyList<SpectralExperiment> runs)
    {
        bool SameExperiment(SpectralExperiment other)
        {
            var keys = e.Config.Keys.Union(other.Config.Keys).Where(k => !NamingKeys.Contains(k));
            return keys.All(k => e.Config.GetValueOrDefault(k) == other.Config.GetValueOrDefault(k));
        }

        return runs.FirstOrDefault(o => o != e && Features(o).Count == 0 && SameExperiment(o));
    }

    private static void AddComparison(HtmlReport report, SpectralExperiment e, IReadOnlyList<SpectralExperiment> runs)
    {
        if (Control(e, runs) is not { } control)
        {
            report.Paragraph(
                $"No run without auxiliary inputs of the same config, seed and data is in this report (train one with {FeaturesKey}=[] to compare)."
            );
            return;
        }

        // Test accuracy from both evaluations where both exist; otherwise each head's best validation accuracy.
        var (with, without, what) =
            TestAccuracies(e) is { } a && TestAccuracies(control) is { } b
                ? (a, b, "test accuracy (Evaluate on the test split)")
                : (BestValidation(e), BestValidation(control), "best validation accuracy per head (summary.json)");
        var seed = e.Config.GetValueOrDefault("seed") ?? "the same";
        report.Paragraph(
            $"With and without the auxiliary inputs: {e.Name} against {control.Name} (seed {seed}; the same data and config except {FeaturesKey}), {what}."
        );
        string Format(double? v) => v?.ToString("0.000", CultureInfo.InvariantCulture) ?? "missing";
        report.Table(
            ["head", $"with {string.Join(", ", Features(e))}", "without", "difference"],
            with.Keys.Union(without.Keys)
                .Order(StringComparer.Ordinal)
                .Select(head =>
                {
                    double? x = with.TryGetValue(head, out var v1) ? v1 : null,
                        y = without.TryGetValue(head, out var v2) ? v2 : null;
                    return (IReadOnlyList<string>)
                        [
                            head,
                            Format(x),
                            Format(y),
                            x is { } p && y is { } q
                                ? (p - q).ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)
                                : "",
                        ];
                })
        );
    }

    private static Dictionary<string, double>? TestAccuracies(SpectralExperiment e)
    {
        using var metrics = SpectralExperiment.ReadJson(e.Eval, EvaluationFiles.Metrics);
        if (
            metrics is null
            || !metrics.RootElement.TryGetProperty("heads", out var heads)
            || heads.ValueKind != JsonValueKind.Object
        )
        {
            return null;
        }

        return heads
            .EnumerateObject()
            .Where(h =>
                h.Value.ValueKind == JsonValueKind.Object
                && h.Value.TryGetProperty("accuracy", out var a)
                && a.ValueKind == JsonValueKind.Number
            )
            .ToDictionary(h => h.Name, h => h.Value.GetProperty("accuracy").GetDouble());
    }

    private static Dictionary<string, double> BestValidation(SpectralExperiment e)
    {
        using var summary = SpectralExperiment.ReadRunSummary(e.Run);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (summary is null || !summary.RootElement.TryGetProperty("bests", out var bests))
        {
            return result;
        }

        const string Prefix = "val/",
            Suffix = "_acc_best";
        foreach (var b in bests.EnumerateObject().Where(b => b.Value.ValueKind == JsonValueKind.Number))
        {
            if (
                b.Name.StartsWith(Prefix, StringComparison.Ordinal) && b.Name.EndsWith(Suffix, StringComparison.Ordinal)
            )
            {
                var head = b.Name[Prefix.Length..^Suffix.Length];
                if (head.Length > 0)
                {
                    result[head] = b.Value.GetDouble();
                }
            }
        }

        return result;
    }
}
