using System.Globalization;
using System.Text;
using System.Text.Json;
using Nsmt.Core;
using Nsmt.Outputs;
using Nsmt.Plots;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Training.Data;
using Nsmt.Spectral.Training.Losses;

namespace Nsmt.Spectral.Training.Evaluation;

/// <summary>What the Evaluate stage asks for.</summary>
public sealed record EvaluateRequest
{
    /// <summary>A .ckpt file, or a run directory (its checkpoints/best.ckpt, else last.ckpt).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>VIMH dataset directory (default: the checkpoint config's data.dir under <see cref="Workspace"/>).</summary>
    public string? Data { get; init; }
    public required string Output { get; init; }
    public string Workspace { get; init; } = ".";

    /// <summary>Test samples re-synthesised from true and predicted parameters.</summary>
    public int ReconstructionSamples { get; init; } = 8;
    public int BatchSize { get; init; } = 256;
}

public sealed record HeadReport(
    string Name,
    int NumClasses,
    double Accuracy,
    double MeanAbsoluteError,
    double MajorityBaseline
);

public sealed record EvaluationReport(
    string Checkpoint,
    string Dataset,
    int Samples,
    double Loss,
    IReadOnlyList<HeadReport> Heads,
    IReadOnlyList<ReconstructionSample> Reconstructions
)
{
    public double MeanAccuracy => Heads.Average(h => h.Accuracy);
}

/// <summary>
/// Evaluates a checkpoint on a dataset's test split: per-head accuracy and MAE (physical units), confusion matrices
/// (CSV + SVG), a metrics JSON, and the audio reconstruction check (WAVs, metrics, a figure).
/// </summary>
public static class ModelEvaluation
{
    public static EvaluationReport Run(EvaluateRequest request)
    {
        RefuseForeignOutput(request.Output);
        var checkpointPath = ResolveCheckpoint(request.Checkpoint);
        using var checkpoint = Training.Checkpoint.Load(checkpointPath);
        var dataDir = request.Data ?? Path.Combine(request.Workspace, checkpoint.Config.Data.Directory);
        var dataset = VimhDataset.Load(dataDir);
        CheckCompatible(checkpoint, dataset);

        using var model = checkpoint.CreateModel();
        var objectives = HeadObjectives.Create(checkpoint.Config.Model, checkpoint.Heads);
        using var test = DatasetTensors.FromSplit(dataset.Test, dataset.Info, checkpoint.Config.Data.AuxiliaryFeatures);
        var result = SplitEvaluation.Run(model, objectives, test, request.BatchSize);

        Directory.CreateDirectory(request.Output);
        var heads = new List<HeadReport>();
        for (var h = 0; h < objectives.Count; h++)
        {
            var head = objectives[h].Head;
            var counts = new long[head.NumClasses];
            foreach (var c in result.Truth[h])
            {
                counts[c]++;
            }

            heads.Add(
                new HeadReport(
                    head.Name,
                    head.NumClasses,
                    result.Accuracy(h),
                    result.MeanAbsoluteError(h),
                    counts.Max() / (double)Math.Max(1, result.Count)
                )
            );
            WriteConfusion(request.Output, head, result.ConfusionMatrix(h));
        }

        var reconstructions = Reconstruction.Run(
            dataset,
            result,
            Math.Min(request.ReconstructionSamples, result.Count),
            Path.Combine(request.Output, ReconstructionFolder)
        );
        var report = new EvaluationReport(
            checkpointPath,
            dataset.Directory,
            result.Count,
            result.Loss,
            heads,
            reconstructions
        );
        AtomicFile.WriteAllText(Path.Combine(request.Output, MetricsFile), ToJson(report));
        return report;
    }

    /// <summary>
    /// The evaluation writes into a new or empty folder, or over an earlier evaluation (a folder holding only what it
    /// writes); anything else, a dataset or a run folder given as --output, is refused before anything is written.
    /// </summary>
    private static void RefuseForeignOutput(string output)
    {
        var full = Path.GetFullPath(output);
        const string expected = "expected a folder for the evaluation: new, empty, or an earlier evaluation's";
        if (FileKinds.Of(full) is not (FileKind.Missing or FileKind.Directory))
        {
            throw new NsmtInputException(full, "--output", $"{expected}; found a file");
        }

        if (
            Directory.Exists(full)
            && Directory
                .EnumerateFileSystemEntries(full)
                .Select(Path.GetFileName)
                .FirstOrDefault(n => !IsEvaluationOutput(n!))
                is { } foreign
        )
        {
            throw new NsmtInputException(
                full,
                "--output",
                $"{expected}; it holds {foreign}, which an evaluation does not write (a dataset or run folder?); choose another folder"
            );
        }
    }

    private static bool IsEvaluationOutput(string name) =>
        name is MetricsFile or ReconstructionFolder
        || AtomicFile.IsTemporaryName(name)
        || (
            name.StartsWith("confusion_", StringComparison.Ordinal)
            && (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".svg", StringComparison.Ordinal))
        );

    private const string MetricsFile = EvaluationFiles.Metrics;
    private const string ReconstructionFolder = EvaluationFiles.ReconstructionFolder;

    public static string ResolveCheckpoint(string path)
    {
        if (!Directory.Exists(path))
        {
            return path;
        }

        foreach (var name in new[] { "best.ckpt", "last.ckpt" })
        {
            var candidate = Path.Combine(path, "checkpoints", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"{path}: no checkpoints/best.ckpt or checkpoints/last.ckpt in this run directory"
        );
    }

    private static void CheckCompatible(Training.Checkpoint checkpoint, VimhDataset dataset)
    {
        var expected = checkpoint.Heads.Select(h => $"{h.Name}:{h.NumClasses}");
        var actual = DatasetHeads.From(dataset.Heads).Select(h => $"{h.Name}:{h.NumClasses}");
        if (!expected.SequenceEqual(actual))
        {
            throw new InvalidDataException(
                $"{dataset.Directory}: heads {string.Join(", ", actual)} do not match the checkpoint's "
                    + $"{string.Join(", ", expected)} ({checkpoint.Path})"
            );
        }
        if (
            (dataset.Info.Channels, dataset.Info.Height, dataset.Info.Width)
            != (checkpoint.InputShape.Channels, checkpoint.InputShape.Height, checkpoint.InputShape.Width)
        )
        {
            throw new InvalidDataException(
                $"{dataset.Directory}: images are {dataset.Info.Channels}x{dataset.Info.Height}x{dataset.Info.Width}, the checkpoint expects {checkpoint.InputShape}"
            );
        }
    }

    private static void WriteConfusion(string output, Models.HeadSpec head, long[,] matrix)
    {
        var n = head.NumClasses;
        var labels = Enumerable
            .Range(0, n)
            .Select(c => head.ValueOfClass(c).ToString("0.###", CultureInfo.InvariantCulture))
            .ToArray();
        var csv = new StringBuilder("true\\predicted");
        foreach (var l in labels)
        {
            csv.Append(',').Append(l);
        }

        csv.Append('\n');
        for (var r = 0; r < n; r++)
        {
            csv.Append(labels[r]);
            for (var c = 0; c < n; c++)
            {
                csv.Append(',').Append(matrix[r, c].ToString(CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(output, $"confusion_{head.Name}.csv"), csv.ToString());

        // Rows normalised so each true class reads as a distribution (colour), counts written in the cells.
        var values = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            var total = Enumerable.Range(0, n).Sum(c => matrix[r, c]);
            for (var c = 0; c < n; c++)
            {
                values[r * n + c] = total == 0 ? double.NaN : matrix[r, c] / (double)total;
            }
        }
        var size = Math.Clamp(40 + n * 22, 320, 760);
        new Figure(1, size + 120, size) { Title = $"{head.Name}: confusion matrix (rows: true, columns: predicted)" }
            .Add(
                new Heatmap(values, n, n)
                {
                    RowLabels = labels,
                    ColumnLabels = labels,
                    XLabel = "predicted",
                    YLabel = "true",
                    Colormap = Colormap.Blues,
                    ColorMin = 0,
                    ColorMax = 1,
                    ColorBarLabel = "fraction of true class",
                }
            )
            .Save(Path.Combine(output, $"confusion_{head.Name}.svg"));
    }

    private static string ToJson(EvaluationReport report) =>
        JsonSerializer.Serialize(
            new EvaluationMetricsJson(
                report.Checkpoint,
                report.Dataset,
                report.Samples,
                report.Loss,
                report.MeanAccuracy,
                report.Heads.ToDictionary(
                    h => h.Name,
                    h => new HeadMetricsJson(h.NumClasses, h.Accuracy, h.MeanAbsoluteError, h.MajorityBaseline)
                ),
                Reconstruction.ToJson(report.Reconstructions)
            ),
            SpectralTrainingJsonContext.Default.EvaluationMetricsJson
        );
}
