using System.Text;
using Nsmt.Outputs;
using Nsmt.Plots;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>
/// An amp experiment's sections: its training curves (every epoch, with NAM's grade thresholds), and the
/// evaluation against the real amp (metrics, waveform, spectrogram and sweep figures, and listening clips of
/// the DI, the real amp and the model embedded as WAV data).
/// </summary>
internal static class AmpSection
{
    /// <summary>Largest clip embedded; larger ones are named, not embedded, to keep the page a reasonable size.</summary>
    public const long MaxClipBytes = 1 << 20;

    private static readonly (string File, string Label)[] Clips =
    [
        (AmpEvaluationFiles.DiClip, "DI (what the guitar played into the amp)"),
        (AmpEvaluationFiles.AmpClip, "the real amp"),
        (AmpEvaluationFiles.ModelClip, "the model"),
    ];

    public static void AddTraining(HtmlReport report, string run, ISet<string> present)
    {
        var name = SpectralExperiment.FolderName(run);
        report.Heading($"Amp training run {name}", id: Anchors.AmpRun(name));
        report.Html(
            Anchors.Related(
                [
                    (Anchors.Amp(name), "figures and audio"),
                    (Anchors.Diagram(name), "architecture"),
                    ("summary", "summary"),
                ],
                present
            )
        );
        var rows = ReportBuilder.ReadMetrics(run);
        if (rows.Count > 0)
        {
            var epochs = rows.Select(r => r["epoch"] + 1).ToArray();
            var figures = new List<(string, string?)>();
            var losses = new LineChart
            {
                Title = "Loss per epoch",
                XLabel = "epoch",
                YLabel = "loss",
                YScale = AxisScale.Log,
            };
            var i = 0;
            foreach (var key in new[] { "train/loss", "val/loss" }.Where(rows[0].ContainsKey))
            {
                losses.Add(
                    key,
                    epochs,
                    [.. rows.Select(r => r.GetValueOrDefault(key, double.NaN))],
                    Palette.At(i++),
                    markers: true,
                    dash: key.StartsWith("train/", StringComparison.Ordinal) ? "5,3" : null
                );
            }

            figures.Add(
                (losses.ToSvg(520, 300), "Loss at every epoch (metrics.csv, log scale): train dashed, validation solid")
            );
            if (rows[0].ContainsKey("val/esr"))
            {
                var esr = new LineChart
                {
                    Title = "Validation ESR per epoch",
                    XLabel = "epoch",
                    YLabel = "ESR",
                    YScale = AxisScale.Log,
                };
                esr.Add(
                    "val/esr",
                    epochs,
                    [.. rows.Select(r => r.GetValueOrDefault("val/esr", double.NaN))],
                    Palette.At(2),
                    markers: true
                );
                foreach (var (below, grade) in NamGrades.Table)
                {
                    esr.AddReferenceLine(below, $"{grade} below", "#777777");
                }

                figures.Add(
                    (esr.ToSvg(520, 300), "Validation ESR at every epoch, with NAM's grade thresholds (log scale)")
                );
            }

            report.SvgRow(figures);
        }

        var summary = RunDirectory.Existing(run).SummaryJson;
        if (File.Exists(summary))
        {
            report.Table(
                ["metric", "value"],
                ReportBuilder
                    .Scalars(File.ReadAllText(summary))
                    .Where(r => !r[0].StartsWith("top_k", StringComparison.Ordinal))
            );
        }
    }

    public static void Add(HtmlReport report, string directory, ISet<string> present)
    {
        var name = SpectralExperiment.FolderName(directory);
        report.Heading($"Amp model vs the real amp: {name}", id: Anchors.Amp(name));
        report.Html(
            Anchors.Related(
                [
                    (Anchors.AmpRun(name), "training curves"),
                    (Anchors.Diagram(name), "architecture"),
                    ("summary", "summary"),
                ],
                present
            )
        );
        // What a guitarist looks for first: the sound, then the pictures; every number after them.
        AddClips(
            report,
            directory,
            "Listen: the same moment through the DI, the real amp and the model",
            $"{Anchors.Amp(name)}-listen"
        );
        foreach (var svg in FigureOrder(directory))
        {
            report.Svg(ReportBuilder.InlineSvg(svg), Path.GetFileName(svg));
        }

        foreach (var json in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            report.Table(["metric", "value"], ReportBuilder.Scalars(File.ReadAllText(json)));
        }
    }

    /// <summary>The evaluation's SVG figures: waveform, spectrograms, sweep first (as AmpEvaluation writes them), then any others.</summary>
    private static IEnumerable<string> FigureOrder(string directory)
    {
        var known = AmpEvaluationFiles.Figures.ToList();
        var all = Directory.EnumerateFiles(directory, "*.svg").Order(StringComparer.Ordinal).ToList();
        return all.OrderBy(f => known.IndexOf(Path.GetFileName(f)) is var i && i >= 0 ? i : known.Count);
    }

    /// <summary>The clips of <paramref name="directory"/> (DI, amp, model) under a level-3 heading; nothing when it has none.</summary>
    internal static void AddClips(HtmlReport report, string directory, string heading, string id)
    {
        var present = Clips.Where(c => File.Exists(Path.Combine(directory, c.File))).ToList();
        if (present.Count == 0)
        {
            return;
        }

        report.Heading(heading, 3, id: id);
        report.Html("<div class=\"row\">");
        foreach (var (file, label) in present)
        {
            var path = Path.Combine(directory, file);
            var size = new FileInfo(path).Length;
            if (size > MaxClipBytes)
            {
                report.Paragraph(
                    $"{label}: {file} is {size / 1024} KB, over the {MaxClipBytes / 1024} KB embedded in the page; it is next to the evaluation."
                );
                continue;
            }

            var wav = File.ReadAllBytes(path);
            if (
                wav.Length < 12
                || Encoding.ASCII.GetString(wav, 0, 4) != "RIFF"
                || Encoding.ASCII.GetString(wav, 8, 4) != "WAVE"
            )
            {
                throw new InvalidDataException($"{path}: not a WAV file (expected 'RIFF'....'WAVE' at the start)");
            }

            report.Audio(wav, $"{label} ({file})");
        }

        report.Html("</div>");
    }
}
