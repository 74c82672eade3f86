using System.Text.Json;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>
/// One spectral experiment as the report sees it: its training run, its evaluation and its dataset folders
/// (each may be missing), matched by folder name (artifacts/runs/NAME, artifacts/eval/NAME) and by the run's
/// resolved config (data.dir, choices.data).
/// </summary>
internal sealed record SpectralExperiment(
    string Name,
    string? Run,
    string? Eval,
    string? Dataset,
    IReadOnlyDictionary<string, string> Config
)
{
    public string? Model => Config.GetValueOrDefault("choices.model");

    public string? Data => Config.GetValueOrDefault("choices.data") ?? (Dataset is null ? null : FolderName(Dataset));

    /// <summary>The name of the dataset section (its folder), where the report has the dataset.</summary>
    public string DatasetSection => Dataset is null ? Data ?? "" : FolderName(Dataset);

    public static string FolderName(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(path));

    public static IReadOnlyList<SpectralExperiment> Gather(ReportRequest request)
    {
        var runs = request.Runs.Where(Directory.Exists).ToList();
        var evals = request.Evaluations.Where(Directory.Exists).ToList();
        var names = runs.Select(FolderName)
            .Concat(evals.Select(FolderName))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var result = new List<SpectralExperiment>();
        foreach (var name in names)
        {
            var run = runs.FirstOrDefault(r => FolderName(r) == name);
            var eval = evals.FirstOrDefault(e => FolderName(e) == name)
                ?? (run is not null && Directory.Exists(Path.Combine(run, "eval")) ? Path.Combine(run, "eval") : null);
            var config = run is null
                ? new Dictionary<string, string>()
                : SweepSection.FlatConfig(RunDirectory.Existing(run).ConfigFile);
            var dataDir = config.GetValueOrDefault("data.dir");
            var dataName = config.GetValueOrDefault("choices.data");
            var dataset = request
                .Datasets.Where(Directory.Exists)
                .FirstOrDefault(d =>
                    (dataDir is not null && FolderName(d) == FolderName(dataDir)) || FolderName(d) == dataName
                );
            result.Add(new SpectralExperiment(name, run, eval, dataset, config));
        }

        return result;
    }

    /// <summary>A training run's summary.json (its place in <see cref="RunDirectory"/>'s layout), or null when absent.</summary>
    public static JsonDocument? ReadRunSummary(string? run) =>
        run is null ? null : ReadJsonFile(RunDirectory.Existing(run).SummaryJson);

    /// <summary>A JSON file's root, or null when the file is absent; malformed JSON is an error naming the file.</summary>
    public static JsonDocument? ReadJson(string? directory, string file) =>
        directory is null ? null : ReadJsonFile(Path.Combine(directory, file));

    private static JsonDocument? ReadJsonFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
