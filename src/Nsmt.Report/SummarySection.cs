using System.Globalization;
using System.Text.Json;
using Nsmt.Outputs;
using Nsmt.Plots;

namespace Nsmt.Report;

/// <summary>
/// The top of the page: per experiment, what was trained on what data, the headline figures beside their
/// baselines (majority class, chance, the PyTorch reference, NAM's ESR grades) and a verdict in words.
/// </summary>
internal static class SummarySection
{
    public static void Add(
        HtmlReport report,
        IReadOnlyList<SpectralExperiment> spectral,
        IReadOnlyList<string> amp,
        IReadOnlyList<string> ampRuns,
        IReadOnlyList<string> knobRuns,
        ISet<string> present
    )
    {
        report.Heading("Summary", id: "summary");
        if (spectral.Count == 0 && amp.Count == 0 && knobRuns.Count == 0)
        {
            report.Paragraph("Nothing was trained or evaluated for this report: it holds only what is listed below.");
            return;
        }

        // Sweep trials are summarised by their own ranked table (SweepSection), not one by one here.
        foreach (var experiment in spectral.Where(e => !SweepSection.IsTrial(e.Name)))
        {
            AddSpectral(report, experiment, present);
        }

        foreach (var directory in amp)
        {
            AddAmp(
                report,
                directory,
                ampRuns.FirstOrDefault(r =>
                    SpectralExperiment.FolderName(r) == SpectralExperiment.FolderName(directory)
                ),
                present
            );
        }

        foreach (var run in knobRuns)
        {
            AddKnobs(report, run);
        }
    }

    /// <summary>A knob run's headline: its worst validation ESR over the trained and over the held-out settings.</summary>
    private static void AddKnobs(HtmlReport report, string run)
    {
        var name = SpectralExperiment.FolderName(run);
        using var summary = SpectralExperiment.ReadJson(run, "summary.json");
        var trained = summary is null ? null : Number(summary.RootElement, "worst_trained_esr");
        var heldOut = summary is null ? null : Number(summary.RootElement, "worst_held_out_esr");
        report.Heading($"{name}: knob model", 3, id: $"summary-{HtmlReport.Slug(name)}");
        report.Html(
            "<p>"
                + HtmlReport.Encode(
                    trained is { } t && heldOut is { } h
                        ? $"Worst validation ESR {Baselines.Format(t, "0.0000")} over the trained settings ({NamGrades.Of(t)}), {Baselines.Format(h, "0.0000")} over the held-out ones ({NamGrades.Of(h)})."
                        : "No summary.json: no headline figures."
                )
                + $" <a href=\"#{KnobSection.AnchorId(name)}\">every setting</a></p>"
        );
    }

    private static void AddSpectral(HtmlReport report, SpectralExperiment e, ISet<string> present)
    {
        report.Heading($"{e.Name}: spectrogram to synth parameters", 3, id: $"summary-{HtmlReport.Slug(e.Name)}");
        using var summary = SpectralExperiment.ReadRunSummary(e.Run);
        using var metrics = SpectralExperiment.ReadJson(e.Eval, EvaluationFiles.Metrics);
        var model = e.Model ?? e.Config.GetValueOrDefault("model.net.architecture") ?? "the model";
        var parameters =
            summary is not null && Number(summary.RootElement, "parameters") is { } p
                ? string.Create(CultureInfo.InvariantCulture, $" ({p:N0} parameters)")
                : "";
        var epochs =
            summary is not null && Number(summary.RootElement, "epochs") is { } n
                ? string.Create(CultureInfo.InvariantCulture, $" for {n:0} epochs")
                : "";
        var data = e.Data ?? "its dataset";
        var samples =
            metrics is not null && Number(metrics.RootElement, "samples") is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"; tested on {s:N0} held-out samples")
                : "";
        report.Html(
            $"<p>{HtmlReport.Encode($"{model}{parameters} trained{epochs} on {data}{samples}.")} "
                + Anchors.Inline(
                    [
                        (Anchors.Run(e.Name), "training curves"),
                        (Anchors.Eval(e.Name), "evaluation"),
                        (Anchors.Dataset(e.DatasetSection), "dataset"),
                        (Anchors.Diagram(e.Name), "architecture"),
                    ],
                    present
                )
                + "</p>"
        );
        if (
            metrics is null
            || !metrics.RootElement.TryGetProperty("heads", out var heads)
            || heads.ValueKind != JsonValueKind.Object
        )
        {
            report.Html("<p class=\"verdict warn\">No evaluation on the test split: no headline figures.</p>");
            return;
        }

        var rows = new List<IReadOnlyList<string>>();
        var verdicts = new List<(string Text, bool Good)>();
        foreach (var head in heads.EnumerateObject())
        {
            var accuracy = Number(head.Value, "accuracy");
            var majority = Number(head.Value, "majority_baseline");
            var classes = Number(head.Value, "num_classes");
            var reference = Baselines.PyTorchReference(e.Model, e.Data, head.Name);
            var verdict = HeadVerdict(head.Name, accuracy, majority, reference);
            verdicts.Add(verdict);
            rows.Add([
                HtmlReport.Breakable(HtmlReport.Encode(head.Name))
                    + (
                        classes is { } k
                            ? $" <small>({k.ToString("0", CultureInfo.InvariantCulture)} classes)</small>"
                            : ""
                    ),
                accuracy is { } a ? $"<b>{Baselines.Format(a)}</b>" : "missing",
                majority is { } m ? Baselines.Format(m) : "",
                classes is { } c && c > 0 ? Baselines.Format(1 / c) : "",
                reference is null ? "n/a" : Baselines.Format(reference.Accuracy),
            ]);
        }

        // The verdicts go under the table, not in a column, and the headers are short: five columns fit a phone.
        report.HtmlTable(["head", "test acc.", "majority", "chance", "PyTorch"], rows);
        report.Html(
            "<ul class=\"verdicts\">"
                + string.Concat(verdicts.Select(v => $"<li>{HtmlReport.Encode(v.Text)}</li>"))
                + "</ul>"
        );
        if (metrics.RootElement.TryGetProperty("test/acc", out var mean) && mean.ValueKind == JsonValueKind.Number)
        {
            report.Paragraph(
                $"Mean test accuracy over heads {Baselines.Format(mean.GetDouble())}. PyTorch reference: {Baselines.ReferenceSource}."
            );
        }

        var good = verdicts.All(v => v.Good);
        var overall = good
            ? $"Verdict: {model} learned what the images can tell apart: every head is at or near its reference, or at the majority class where the data leaves no more to learn."
            : $"Verdict: {model} falls short on {string.Join(", ", verdicts.Where(v => !v.Good).Select(v => v.Text.Split(':')[0]))}; see the training curves and confusion matrices below.";
        report.Html($"<p class=\"verdict{(good ? "" : " warn")}\">{HtmlReport.Encode(overall)}</p>");
    }

    /// <summary>One head's verdict in words and whether it is as good as can be expected.</summary>
    internal static (string Text, bool Good) HeadVerdict(
        string head,
        double? accuracy,
        double? majority,
        Baselines.Reference? reference
    )
    {
        if (accuracy is not { } a)
        {
            return ($"{head}: no accuracy in metrics.json", false);
        }

        var m = majority ?? 0;
        if (reference is not null && reference.Accuracy <= m + 0.005)
        {
            // PyTorch does no better than the majority class either: the data, not the model, sets the limit.
            var same = a >= m - 0.02;
            return (
                $"{head}: {(same ? "at" : "below")} the majority class, as PyTorch{(reference.Note is null ? "" : $" ({reference.Note})")}",
                same
            );
        }

        if (a <= m + 0.01)
        {
            return ($"{head}: no better than always answering the most common class", false);
        }

        if (reference is null)
        {
            return (
                $"{head}: learned, {(m > 0 ? $"{a / m:0.0}x the majority class" : "above chance")}; no PyTorch reference for this model and dataset",
                true
            );
        }

        var points = (a - reference.Accuracy) * 100;
        return Math.Abs(points) <= 2 ? ($"{head}: learned, matches PyTorch ({points:+0.0;-0.0} points)", true)
            : points > 0 ? ($"{head}: learned, {points:0.0} points above PyTorch's template recipe", true)
            : ($"{head}: learned, but {-points:0.0} points below PyTorch's template recipe", false);
    }

    private static void AddAmp(HtmlReport report, string directory, string? run, ISet<string> present)
    {
        var name = SpectralExperiment.FolderName(directory);
        report.Heading($"{name}: guitar amp model", 3, id: $"summary-{HtmlReport.Slug(name)}");
        using var metrics = SpectralExperiment.ReadJson(directory, AmpEvaluationFiles.Metrics);
        using var summary = SpectralExperiment.ReadRunSummary(run);
        if (metrics is null)
        {
            report.Html("<p class=\"verdict warn\">No amp evaluation metrics (metrics.json): no headline figures.</p>");
            return;
        }

        var root = metrics.RootElement;
        // NAM's preset name (A1 standard, A2-Full) where the evaluation recognised one; a container's is its default width's.
        var architecture =
            root.TryGetProperty("model", out var m)
            && m.TryGetProperty("preset", out var preset)
            && preset.ValueKind == JsonValueKind.String
                ? $"NAM's {preset.GetString()}"
            : m.ValueKind == JsonValueKind.Object && m.TryGetProperty("architecture", out var arch) ? $"A {arch}"
            : "The model";
        var parameters =
            root.TryGetProperty("model", out m) && Number(m, "parameters") is { } p
                ? string.Create(CultureInfo.InvariantCulture, $" ({p:N0} weights)")
                : "";
        var epochs =
            summary is not null && Number(summary.RootElement, "epochs") is { } n
                ? string.Create(CultureInfo.InvariantCulture, $" for {n:0} epochs")
                : "";
        var seconds =
            root.TryGetProperty("range", out var range) && Number(range, "seconds") is { } s
                ? string.Create(CultureInfo.InvariantCulture, $" {s:0.##} s")
                : "";
        report.Html(
            $"<p>{HtmlReport.Encode($"{architecture}{parameters} trained{epochs} to play the DI capture as the amp does; scored on the{seconds} validation range it never trained on.")} "
                + Anchors.Inline(
                    [
                        (Anchors.AmpRun(name), "training curves"),
                        (Anchors.Amp(name), "figures and audio"),
                        (Anchors.Diagram(name), "architecture"),
                    ],
                    present
                )
                + "</p>"
        );
        var esr = Number(root, "esr_nam");
        if (esr is not { } e)
        {
            report.Html("<p class=\"verdict warn\">metrics.json has no esr_nam: no grade.</p>");
            return;
        }

        var grade = NamGrades.Of(e);
        report.HtmlTable(
            ["measure", "value", "baseline"],
            [
                [
                    "validation ESR (NAM)",
                    $"<b>{Baselines.Format(e, "0.0000")}</b>",
                    "1.0 = outputting silence; NAM's grades: &lt; 0.01 great, &lt; 0.035 not bad, &lt; 0.1 might sound ok, &lt; 0.3 probably won't sound great",
                ],
                ["NAM grade", $"<b>{HtmlReport.Encode(grade)}</b>", ""],
                .. Optional(root, "pearson", "correlation with the amp", "0.0000", "1 = identical shape"),
                .. Optional(root, "snr_db", "signal to error ratio, dB", "0.0", "ESR 0.01 is 20 dB"),
                .. Optional(
                    root,
                    "null_test_residual_dbfs",
                    "null-test residual, dBFS",
                    "0.0",
                    "what is left when the model's output is subtracted from the amp's"
                ),
            ]
        );
        var next = NamGrades.Next(e);
        var good = e < 0.035;
        var verdict = next is { } up
            ? $"Verdict: {grade} by NAM's grades (ESR {Baselines.Format(e, "0.0000")}); '{up.Grade}' needs an ESR below {up.Below.ToString(CultureInfo.InvariantCulture)}. Listen to the clips below."
            : $"Verdict: great by NAM's grades (ESR {Baselines.Format(e, "0.0000")}, below 0.01): hard to tell from the amp. Listen to the clips below.";
        report.Html($"<p class=\"verdict{(good ? "" : " warn")}\">{HtmlReport.Encode(verdict)}</p>");
    }

    private static IEnumerable<IReadOnlyList<string>> Optional(
        JsonElement root,
        string key,
        string label,
        string format,
        string baseline
    )
    {
        if (Number(root, key) is { } v)
        {
            yield return [HtmlReport.Encode(label), Baselines.Format(v, format), HtmlReport.Encode(baseline)];
        }
    }

    internal static double? Number(JsonElement element, string key) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(key, out var v)
        && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : null;
}
