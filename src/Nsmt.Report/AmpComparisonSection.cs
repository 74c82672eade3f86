using System.Globalization;
using System.Text.Json;
using Nsmt.Outputs;
using Nsmt.Plots;

namespace Nsmt.Report;

/// <summary>
/// The amp models side by side, one table per capture: models are compared only where they were scored on the same
/// aligned DI and amp samples (metrics.json <c>capture.sha256</c>, written by Amp evaluate), whatever the experiments
/// are called. Each width of a slimmable model (A2-Lite and A2-Full of one 0.7.0 file) is a row of its own: the
/// validation ESR, NAM's grade, the weights and the real-time factor of our streaming engine.
/// </summary>
internal static class AmpComparisonSection
{
    public const string Id = "amp-comparison";

    public static void Add(HtmlReport report, IReadOnlyList<string> amp)
    {
        var evaluated = amp.Select(directory => (directory, Capture: CaptureOf(directory)))
            .Where(e => e.Capture is not null)
            .GroupBy(e => e.Capture!, StringComparer.Ordinal)
            .ToList();
        var rows = evaluated.Sum(g => g.Sum(e => Widths(e.directory).Count));
        if (rows < 2)
        {
            return; // one model alone: its own section says everything
        }

        report.Heading("Amp models on the same capture", id: Id);
        report.Paragraph(
            "Every amp model scored on the same aligned capture (same DI and amp samples, whatever the experiment's name), "
                + "each width of a slimmable model on its own row. ESR on the validation range (NAM's convention; lower is "
                + "better); real-time factor: seconds of audio our streaming engine plays per second, block "
                + "64, on the machine that ran the evaluation (a timing, not a property of the model)."
        );
        foreach (var capture in evaluated)
        {
            if (evaluated.Count > 1)
            {
                report.Heading($"Capture {capture.Key[..12]}", 3);
            }

            var table = capture
                .SelectMany(e =>
                    Widths(e.directory).Select(w => (Experiment: SpectralExperiment.FolderName(e.directory), w))
                )
                .ToList();
            var best = table.Min(r => r.w.Esr ?? double.PositiveInfinity);
            report.HtmlTable(
                ["experiment", "model", "sizes", "weights", "validation ESR", "NAM grade", "real-time factor"],
                table.Select(r =>
                    (IReadOnlyList<string>)
                        [
                            $"<a href=\"#{Anchors.Amp(r.Experiment)}\">{HtmlReport.Encode(r.Experiment)}</a>",
                            HtmlReport.Encode(r.w.Model),
                            HtmlReport.Encode(r.w.Sizes),
                            r.w.Weights is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "",
                            r.w.Esr is { } e
                                ? e == best
                                    ? $"<b>{Baselines.Format(e, "0.0000")}</b>"
                                    : Baselines.Format(e, "0.0000")
                                : "missing",
                            r.w.Esr is { } g ? HtmlReport.Encode(NamGrades.Of(g)) : "",
                            r.w.RealTimeFactor is { } f ? string.Create(CultureInfo.InvariantCulture, $"{f:0.0}x") : "",
                        ]
                )
            );
        }
    }

    /// <summary>One row of the table: a width of an evaluated model.</summary>
    internal sealed record Width(string Model, string Sizes, double? Weights, double? Esr, double? RealTimeFactor);

    private static string? CaptureOf(string directory)
    {
        using var metrics = SpectralExperiment.ReadJson(directory, AmpEvaluationFiles.Metrics);
        return
            metrics is not null
            && metrics.RootElement.TryGetProperty("capture", out var capture)
            && capture.ValueKind == JsonValueKind.Object
            && capture.TryGetProperty("sha256", out var sha)
            && sha.ValueKind == JsonValueKind.String
            ? sha.GetString()
            : null;
    }

    /// <summary>The widths metrics.json lists (an evaluation before widths were measured: none).</summary>
    internal static IReadOnlyList<Width> Widths(string directory)
    {
        using var metrics = SpectralExperiment.ReadJson(directory, AmpEvaluationFiles.Metrics);
        if (
            metrics is null
            || !metrics.RootElement.TryGetProperty("widths", out var widths)
            || widths.ValueKind != JsonValueKind.Array
        )
        {
            return [];
        }

        var architecture =
            metrics.RootElement.TryGetProperty("model", out var model)
            && model.TryGetProperty("architecture", out var a)
                ? a.ToString()
                : "model";
        var count = widths.GetArrayLength();
        return
        [
            .. widths
                .EnumerateArray()
                .Select(w =>
                {
                    var from = SummarySection.Number(w, "size_from") ?? 0;
                    var below = SummarySection.Number(w, "size_below");
                    var sizes =
                        count == 1 ? "all"
                        : below is { } b ? string.Create(CultureInfo.InvariantCulture, $"[{from}, {b})")
                        : string.Create(CultureInfo.InvariantCulture, $"[{from}, 1]");
                    var preset =
                        w.TryGetProperty("preset", out var p) && p.ValueKind == JsonValueKind.String
                            ? p.GetString()!
                            : architecture;
                    return new Width(
                        preset,
                        sizes,
                        SummarySection.Number(w, "parameters"),
                        SummarySection.Number(w, "esr_nam"),
                        SummarySection.Number(w, "real_time_factor")
                    );
                }),
        ];
    }
}
