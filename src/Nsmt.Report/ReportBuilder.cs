using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nsmt.Core;
using Nsmt.Outputs;
using Nsmt.Pipeline;
using Nsmt.Pipeline.State;
using Nsmt.Plots;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>The artifact folders a report gathers; any of them may be absent.</summary>
public sealed record ReportRequest
{
    public required string Output { get; init; }

    /// <summary>An architecture comparison folder (comparison.csv, runs/&lt;model&gt;/metrics.csv).</summary>
    public string? Comparison { get; init; }

    /// <summary>Training run folders (metrics.csv, summary.json, timing.json, eval/).</summary>
    public IReadOnlyList<string> Runs { get; init; } = [];

    /// <summary>Evaluate stage folders kept outside their run (metrics.json, confusion_*.svg, reconstruction/).</summary>
    public IReadOnlyList<string> Evaluations { get; init; } = [];

    /// <summary>Diagram folders (summary.txt, *.svg).</summary>
    public IReadOnlyList<string> Diagrams { get; init; } = [];

    /// <summary>Amp evaluation folders (metrics JSON, SVG figures, clip_*.wav listening clips).</summary>
    public IReadOnlyList<string> Amp { get; init; } = [];

    /// <summary>Amp training run folders (metrics.csv, summary.json), matched to <see cref="Amp"/> by folder name.</summary>
    public IReadOnlyList<string> AmpRuns { get; init; } = [];

    /// <summary>Knob run folders (knob_esr.csv/.svg, clips/, knob_sweep.*): <see cref="KnobSection"/>.</summary>
    public IReadOnlyList<string> KnobRuns { get; init; } = [];

    /// <summary>VIMH dataset folders the spectral runs trained on (contact sheet, label histograms).</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];

    /// <summary>The pipeline lock file (provenance).</summary>
    public string? Lock { get; init; }
    public string Title { get; init; } = "NSMT.NET report";
}

/// <summary>
/// Builds <c>index.html</c>: a summary with verdicts first, then comparison tables, training curves, dataset
/// previews, confusion matrices, reconstruction figures, amp plots and listening clips, architecture diagrams and
/// the lock's provenance, with every figure and clip inlined (no network, no scripts) and sections linked.
/// </summary>
public static partial class ReportBuilder
{
    public static string Build(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var report = new HtmlReport(request.Title);
        report.Paragraph(
            $"Generated {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC."
        );
        var spectral = SpectralExperiment.Gather(request);
        var amp = request.Amp.Where(Directory.Exists).ToList();
        var ampRuns = request.AmpRuns.Where(Directory.Exists).ToList();
        // Experiments sharing a dataset name it once each: one section per folder.
        var datasets = request
            .Datasets.Where(Directory.Exists)
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var diagrams = request.Diagrams.Where(Directory.Exists).ToList();
        // Every section's anchor, known before any is written, so links point only at sections that exist.
        var present = new HashSet<string>(StringComparer.Ordinal);
        present.UnionWith(request.Runs.Where(Directory.Exists).Select(r => Anchors.Run(Name(r))));
        present.UnionWith(spectral.Where(e => e.Eval is not null).Select(e => Anchors.Eval(e.Name)));
        present.UnionWith(datasets.Select(d => Anchors.Dataset(Name(d))));
        present.UnionWith(diagrams.Select(d => Anchors.Diagram(Name(d))));
        present.UnionWith(amp.Select(a => Anchors.Amp(Name(a))));
        present.UnionWith(ampRuns.Select(r => Anchors.AmpRun(Name(r))));

        SummarySection.Add(report, spectral, amp, ampRuns, [.. request.KnobRuns.Where(Directory.Exists)], present);
        report.Contents();
        if (request.Comparison is { } comparison && File.Exists(Path.Combine(comparison, "comparison.csv")))
        {
            AddComparison(report, comparison);
        }

        AmpComparisonSection.Add(report, amp); // A1 against A2-Lite and A2-Full where they share a capture
        SweepSection.Add(report, request.Runs); // sweep trials first, as a ranked table and figure; then each run
        InputsSection.Add(report, spectral); // what each model sees: images, auxiliary scalars, with against without
        foreach (var run in request.Runs.Where(Directory.Exists))
        {
            AddRun(report, run, spectral.FirstOrDefault(e => e.Name == Name(run)), present);
        }

        foreach (var dataset in datasets)
        {
            DatasetSection.Add(report, dataset);
        }

        foreach (var eval in request.Evaluations.Where(Directory.Exists))
        {
            AddEvaluation(report, eval, Name(eval), present);
        }

        foreach (var run in ampRuns)
        {
            AmpSection.AddTraining(report, run, present);
        }

        foreach (var directory in amp)
        {
            AmpSection.Add(report, directory, present);
        }

        KnobSection.AddAll(report, request.KnobRuns, present);
        foreach (var diagram in diagrams)
        {
            AddDiagram(report, diagram, present);
        }

        AddProvenance(report, request.Lock);
        Directory.CreateDirectory(request.Output);
        var path = Path.Combine(request.Output, "index.html");
        report.Save(path);
        return path;
    }

    private static string Name(string directory) => SpectralExperiment.FolderName(directory);

    private static void AddComparison(HtmlReport report, string directory)
    {
        report.Heading("Architecture comparison");
        var lines = File.ReadAllLines(Path.Combine(directory, "comparison.csv"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .ToList();
        // The page shows best-epoch accuracies; final-epoch ones stay in the CSV.
        var shown = Enumerable
            .Range(0, lines[0].Length)
            .Where(c => !lines[0][c].StartsWith("final_", StringComparison.Ordinal))
            .ToArray();
        report.Table(
            [.. shown.Select(c => lines[0][c])],
            lines.Skip(1).Select(l => (IReadOnlyList<string>)[.. shown.Select(c => l[c])])
        );
        var chart = new LineChart
        {
            Title = "Validation accuracy (mean over heads) per epoch",
            XLabel = "epoch",
            YLabel = "val/acc",
        };
        var i = 0;
        foreach (
            var run in Directory.EnumerateDirectories(Path.Combine(directory, "runs")).Order(StringComparer.Ordinal)
        )
        {
            var rows = ReadMetrics(run);
            if (rows.Count == 0)
            {
                continue;
            }

            chart.Add(
                Path.GetFileName(run),
                [.. rows.Select(r => r["epoch"] + 1)],
                [.. rows.Select(r => r.GetValueOrDefault("val/acc", double.NaN))],
                Palette.At(i++),
                markers: true
            );
        }
        report.Svg(new Figure(1, 860, 320).Add(chart).ToSvg(), "Training curves of the comparison set");
    }

    private static void AddRun(HtmlReport report, string run, SpectralExperiment? experiment, ISet<string> present)
    {
        var name = Name(run);
        report.Heading($"Training run {name}", id: Anchors.Run(name));
        report.Html(
            Anchors.Related(
                [
                    (Anchors.Eval(name), "evaluation"),
                    (Anchors.Dataset(experiment?.DatasetSection ?? ""), "dataset"),
                    (Anchors.Diagram(name), "architecture"),
                    ("summary", "summary"),
                ],
                present
            )
        );
        TrainingCurves.Add(report, run, experiment?.Eval);
        var files = RunDirectory.Existing(run);
        foreach (var file in new[] { files.SummaryJson, files.TimingJson }.Where(File.Exists))
        {
            report.Table(
                ["metric", "value"],
                Scalars(File.ReadAllText(file)).Where(r => !r[0].StartsWith("metrics.", StringComparison.Ordinal))
            );
        }

        if (Directory.Exists(Path.Combine(run, "eval")))
        {
            AddEvaluation(report, Path.Combine(run, "eval"), null, present, Anchors.Eval(name));
        }
    }

    /// <summary>An Evaluate stage output folder: metrics.json, confusion matrices, the reconstruction figure.</summary>
    private static void AddEvaluation(
        HtmlReport report,
        string eval,
        string? name,
        ISet<string> present,
        string? id = null
    )
    {
        if (Directory.Exists(eval))
        {
            if (name is null)
            {
                // A run's own eval/ folder: the summary's "evaluation" link lands here.
                report.Heading("Evaluation (test split)", 3, id);
            }
            else
            {
                report.Heading($"Evaluation {name} (test split)", 2, Anchors.Eval(name));
                report.Html(
                    Anchors.Related(
                        [
                            (Anchors.Run(name), "training curves"),
                            (Anchors.Diagram(name), "architecture"),
                            ("summary", "summary"),
                        ],
                        present
                    )
                );
            }

            var metrics = Path.Combine(eval, EvaluationFiles.Metrics);
            if (File.Exists(metrics))
            {
                report.Table(
                    ["metric", "value"],
                    Scalars(File.ReadAllText(metrics))
                        .Where(r => !r[0].StartsWith("reconstruction.samples", StringComparison.Ordinal))
                );
            }
            // Confusion matrices side by side where the page is wide enough, one under the other on a phone.
            report.SvgRow(
                Directory
                    .EnumerateFiles(eval, "confusion_*.svg")
                    .Order(StringComparer.Ordinal)
                    .Select(svg => (InlineSvg(svg), (string?)Path.GetFileName(svg)))
            );
            var reconstruction = Path.Combine(
                eval,
                EvaluationFiles.ReconstructionFolder,
                EvaluationFiles.ReconstructionFigure
            );
            if (File.Exists(reconstruction))
            {
                report.Svg(InlineSvg(reconstruction), "Audio reconstruction from predicted parameters");
            }
        }
    }

    private static void AddDiagram(HtmlReport report, string directory, ISet<string> present)
    {
        var name = Name(directory);
        report.Heading($"Architecture {name}", id: Anchors.Diagram(name));
        report.Html(
            Anchors.Related(
                [
                    (Anchors.Run(name), "training curves"),
                    (Anchors.Eval(name), "evaluation"),
                    (Anchors.AmpRun(name), "training curves"),
                    (Anchors.Amp(name), "amp figures and audio"),
                    ("summary", "summary"),
                ],
                present
            )
        );
        foreach (var text in Directory.EnumerateFiles(directory, "*.txt").Order(StringComparer.Ordinal))
        {
            report.Preformatted(File.ReadAllText(text));
        }

        foreach (var svg in Directory.EnumerateFiles(directory, "*.svg").Order(StringComparer.Ordinal))
        {
            report.Svg(InlineSvg(svg), Path.GetFileName(svg));
        }
    }

    private static void AddProvenance(HtmlReport report, string? lockFile)
    {
        report.Heading("Provenance");
        if (lockFile is not null)
        {
            report.Paragraph(
                $"The pipeline lock ({Path.GetFileName(lockFile)}): what ran, when, from which inputs (content hashes) and with which parameters."
            );
            report.Preformatted(ReadLock(lockFile));
        }
        else
        {
            report.Paragraph("No pipeline lock file: these artifacts were not produced by `dotnet cake`.");
        }
    }

    /// <summary>
    /// The lock as its own reader parsed it and its writer renders it: the report publishes only a lock's records,
    /// so any other file given as the lock (a WAV, a secret) is refused rather than pasted into the page.
    /// </summary>
    private static string ReadLock(string lockFile)
    {
        var expected =
            $"expected a pipeline lock file (artifacts/pipeline.lock: YAML with schema: {LockFile.Schema} and stages)";
        if (FileKinds.Of(lockFile) != FileKind.RegularFile)
        {
            throw new NsmtInputException(
                lockFile,
                "--lock",
                $"{expected}, found {(File.Exists(lockFile) || Directory.Exists(lockFile) ? "no regular file" : "no such file")}"
            );
        }

        try
        {
            return LockFile.Load(lockFile).Render();
        }
        catch (PipelineException)
        {
            throw new NsmtInputException(
                lockFile,
                "--lock",
                $"{expected}; this is not one, and nothing of it goes into the report"
            );
        }
    }

    internal static List<Dictionary<string, double>> ReadMetrics(string run)
    {
        var path = RunDirectory.Existing(run).MetricsCsv;
        return File.Exists(path) ? MetricsCsvLogger.Read(path) : [];
    }

    /// <summary>An SVG file ready to inline in HTML (no XML declaration or DOCTYPE).</summary>
    public static string InlineSvg(string path)
    {
        var text = File.ReadAllText(path);
        text = XmlProlog().Replace(text, "");
        return text.Trim();
    }

    /// <summary>Every scalar of a JSON document as (dotted path, value) rows.</summary>
    public static IEnumerable<IReadOnlyList<string>> Scalars(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var rows = new List<IReadOnlyList<string>>();
        Walk(doc.RootElement, "", rows);
        return rows;
    }

    private static void Walk(JsonElement element, string path, List<IReadOnlyList<string>> rows)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}", rows);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", rows);
                }

                break;
            case JsonValueKind.Number:
                rows.Add([path, element.GetDouble().ToString("0.######", CultureInfo.InvariantCulture)]);
                break;
            default:
                rows.Add([path, element.ToString()]);
                break;
        }
    }

    [GeneratedRegex(@"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex XmlProlog();
}
