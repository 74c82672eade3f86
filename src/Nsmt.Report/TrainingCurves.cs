using System.Text.Json;
using Nsmt.Outputs;
using Nsmt.Plots;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>
/// A run's training curves: loss and accuracy at every epoch (train and validation, from metrics.csv) with each
/// head's majority-class baseline drawn in, and the per-step training loss where TensorBoard logged it.
/// </summary>
internal static class TrainingCurves
{
    public const string StepLossTag = "train/loss_step";

    public static void Add(HtmlReport report, string run, string? eval)
    {
        var rows = ReportBuilder.ReadMetrics(run);
        var figures = new List<(string, string?)>();
        if (rows.Count > 0)
        {
            var epochs = rows.Select(r => r["epoch"] + 1).ToArray();
            var losses = new LineChart
            {
                Title = "Loss per epoch",
                XLabel = "epoch",
                YLabel = "loss",
            };
            var i = 0;
            foreach (var name in new[] { "train/loss", "val/loss" }.Where(n => rows[0].ContainsKey(n)))
            {
                losses.Add(
                    name,
                    epochs,
                    [.. rows.Select(r => r.GetValueOrDefault(name, double.NaN))],
                    Palette.At(i++),
                    markers: true,
                    dash: name.StartsWith("train/", StringComparison.Ordinal) ? "5,3" : null
                );
            }

            figures.Add((losses.ToSvg(520, 300), "Loss at every epoch (metrics.csv): train dashed, validation solid"));

            var heads = rows[0]
                .Keys.Where(k =>
                    k.StartsWith("val/", StringComparison.Ordinal) && k.EndsWith("_acc", StringComparison.Ordinal)
                )
                .Order(StringComparer.Ordinal)
                .ToList();
            if (heads.Count > 0)
            {
                var accuracies = new LineChart
                {
                    Title = "Accuracy per epoch",
                    XLabel = "epoch",
                    YLabel = "accuracy",
                    YMin = 0,
                    YMax = 1,
                };
                i = 0;
                foreach (var name in heads)
                {
                    var color = Palette.At(i++);
                    accuracies.Add(
                        name,
                        epochs,
                        [.. rows.Select(r => r.GetValueOrDefault(name, double.NaN))],
                        color,
                        markers: true
                    );
                    var train = "train/" + name["val/".Length..];
                    if (rows[0].ContainsKey(train))
                    {
                        accuracies.Add(
                            train,
                            epochs,
                            [.. rows.Select(r => r.GetValueOrDefault(train, double.NaN))],
                            color,
                            width: 1,
                            dash: "5,3"
                        );
                    }
                }

                foreach (var (head, majority) in MajorityBaselines(eval))
                {
                    accuracies.AddReferenceLine(majority, $"{head} majority class", "#777777");
                }

                figures.Add(
                    (
                        accuracies.ToSvg(520, 300),
                        "Accuracy at every epoch: validation solid, train dashed; grey lines: each head's majority-class baseline on the test split"
                    )
                );
            }
        }

        var steps = TensorBoardScalars.Read(RunDirectory.Existing(run).TensorBoard, StepLossTag);
        if (steps.Count > 1)
        {
            var chart = new LineChart
            {
                Title = "Training loss per step",
                XLabel = "step",
                YLabel = "loss",
                ShowLegend = false,
            };
            chart.Add(
                StepLossTag,
                [.. steps.Select(s => (double)s.Step)],
                [.. steps.Select(s => s.Value)],
                Palette.At(0),
                width: 1
            );
            figures.Add(
                (
                    chart.ToSvg(520, 300),
                    $"Training loss at every logged step ({steps.Count} steps, TensorBoard {StepLossTag})"
                )
            );
        }

        if (figures.Count == 0)
        {
            report.Paragraph("No metrics.csv and no TensorBoard steps in this run: no training curves.");
            return;
        }

        report.SvgRow(figures);
    }

    /// <summary>(head, majority-class accuracy) from an evaluation's metrics.json.</summary>
    private static IEnumerable<(string Head, double Majority)> MajorityBaselines(string? eval)
    {
        using var metrics = SpectralExperiment.ReadJson(eval, EvaluationFiles.Metrics);
        if (
            metrics is null
            || !metrics.RootElement.TryGetProperty("heads", out var heads)
            || heads.ValueKind != JsonValueKind.Object
        )
        {
            return [];
        }

        return heads
            .EnumerateObject()
            .Select(h => (h.Name, SummarySection.Number(h.Value, "majority_baseline")))
            .Where(h => h.Item2 is not null)
            .Select(h => (h.Name, h.Item2!.Value))
            .ToList();
    }
}
