using Nsmt.Core;
using Nsmt.Outputs;
using Nsmt.Plots;

namespace Nsmt.Report;

/// <summary>
/// Knob runs (AmpTrain with a <c>knobs:</c> config; README "Knob models"), one section each: the worst trained and
/// held-out ESR, the ESR heat map over the knob grid, the listening clips at two settings, the knob sweeps with their
/// monotonicity verdicts, and every setting's ESR. Knob runs are not pipeline experiments: they reach the report
/// as folders named on Report's <c>--knob-runs</c>.
/// </summary>
internal static class KnobSection
{
    public static string AnchorId(string name) => HtmlReport.Slug($"knobs {name}");

    /// <summary>The runs that exist, in the order given.</summary>
    public static void AddAll(HtmlReport report, IEnumerable<string> runs, ISet<string> present)
    {
        foreach (var run in runs.Where(Directory.Exists))
        {
            Add(report, run, present);
        }
    }

    /// <summary>Throws <see cref="NsmtInputException"/> when <paramref name="run"/> is not a knob run (no ESR table).</summary>
    public static void Check(string run)
    {
        if (!File.Exists(Path.Combine(run, KnobRunFiles.EsrTable)))
        {
            throw new NsmtInputException(
                run,
                "--knob-runs",
                $"not a knob run: it has no {KnobRunFiles.EsrTable} (written by AmpTrain with a knobs: config)"
            );
        }
    }

    private static void Add(HtmlReport report, string run, ISet<string> present)
    {
        var name = SpectralExperiment.FolderName(run);
        var id = AnchorId(name);
        report.Heading($"Knob model {name}", id: id);
        report.Html(Anchors.Related([("summary", "summary")], present));
        var summary = Path.Combine(run, "summary.json");
        if (File.Exists(summary))
        {
            // Per-setting figures follow in the ESR table: here only the run's own scalars (worst ESRs, epochs, time).
            report.Table(
                ["metric", "value"],
                ReportBuilder
                    .Scalars(File.ReadAllText(summary))
                    .Where(r => !r[0].Contains('[', StringComparison.Ordinal))
            );
        }

        AddFigure(report, run, KnobRunFiles.EsrHeatmap, "Validation ESR of every setting over the knob grid");
        var clips = Path.Combine(run, KnobRunFiles.Clips);
        if (Directory.Exists(clips))
        {
            foreach (var setting in Directory.EnumerateDirectories(clips).Order(StringComparer.Ordinal))
            {
                var folder = Path.GetFileName(setting);
                AmpSection.AddClips(
                    report,
                    setting,
                    $"Listen at {folder}: the DI, the real amp and the model",
                    HtmlReport.Slug($"{id} listen {folder}")
                );
            }
        }

        AddFigure(
            report,
            run,
            KnobRunFiles.Sweep,
            "Each knob swept: output level and spectral centroid, model and amp"
        );
        var verdicts = Path.Combine(run, KnobRunFiles.SweepVerdicts);
        if (File.Exists(verdicts))
        {
            report.Table(["sweep", "value"], ReportBuilder.Scalars(File.ReadAllText(verdicts)));
        }

        var esr = File.ReadAllLines(Path.Combine(run, KnobRunFiles.EsrTable)).Skip(1).Where(l => l.Length > 0);
        report.Table(["setting", "held out", "validation ESR"], esr.Select(EsrRow));
    }

    private static void AddFigure(HtmlReport report, string run, string file, string caption)
    {
        var path = Path.Combine(run, file);
        if (File.Exists(path))
        {
            report.Svg(ReportBuilder.InlineSvg(path), $"{caption} ({file})");
        }
    }

    /// <summary>A row of knob_esr.csv (<c>"gain_db=0,mid_db=-4",0,-4,false,0.05</c>): setting, held out, ESR.</summary>
    private static IReadOnlyList<string> EsrRow(string line)
    {
        var fields = line.Split(',');
        var setting = line.StartsWith('"') ? line[1..line.IndexOf('"', 1)] : fields[0];
        return [setting, fields[^2], fields[^1]];
    }
}
