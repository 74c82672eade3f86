using Nsmt.Training.Config;
using Nsmt.Training.Logging;
using Nsmt.Vimh;
using Nsmt.Vimh.Generation;
using GeneratorConfig = Nsmt.Vimh.Config.GeneratorConfig;

namespace Nsmt.Training;

/// <summary>What the Train stage asks for.</summary>
public sealed record TrainRequest
{
    /// <summary>The configs/ directory; relative paths in configs (data dirs, generator configs) resolve against its parent.</summary>
    public required string ConfigRoot { get; init; }
    public string? Experiment { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
    /// <summary>Explicit run directory (default: logs/&lt;task&gt;/runs/&lt;timestamp&gt;).</summary>
    public string? RunDirectory { get; init; }
    /// <summary>Dataset directory overriding data.dir.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>A checkpoint file or a run directory (its checkpoints/last.ckpt) to continue from.</summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>Composes the config, makes sure the dataset exists (generating it on first use), and trains.</summary>
public static class TrainingRunner
{
    public static TrainResult Run(TrainRequest request, ProgressReporter progress, CancellationToken cancellation = default)
    {
        var workspace = Path.GetDirectoryName(Path.GetFullPath(request.ConfigRoot).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        string? resumeCheckpoint = null;
        TrainConfig config;
        RunDirectory run;
        if (request.ResumeFrom is { } resume)
        {
            resumeCheckpoint = Directory.Exists(resume) ? Path.Combine(resume, "checkpoints", "last.ckpt") : resume;
            using (var checkpoint = Checkpoint.Load(resumeCheckpoint))
                config = TrainConfig.FromResolvedYaml(checkpoint.Config.ResolvedYaml, resumeCheckpoint, request.Overrides);
            // A run continues in its own folder unless told otherwise.
            var runPath = request.RunDirectory ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(resumeCheckpoint)))!;
            run = Logging.RunDirectory.At(runPath);
        }
        else
        {
            config = TrainConfig.Load(request.ConfigRoot, request.Experiment, request.Overrides);
            run = request.RunDirectory is { } dir
                ? Logging.RunDirectory.At(dir)
                : Logging.RunDirectory.CreateTimestamped(Path.Combine(workspace, config.LogDir), config.TaskName, DateTime.Now);
        }

        var dataset = DatasetProvider.Ensure(config.Data, workspace, request.DataDirectory, progress);
        progress.Message($"run directory: {run.Path}");
        return new Trainer(config, progress).Fit(dataset, run, resumeCheckpoint, cancellation);
    }
}

/// <summary>Loads the configured dataset, generating it first when its directory does not exist yet.</summary>
public static class DatasetProvider
{
    public static VimhDataset Ensure(DataSettings data, string workspace, string? directoryOverride, ProgressReporter progress)
    {
        var directory = Path.GetFullPath(directoryOverride ?? Path.Combine(workspace, data.Directory));
        if (File.Exists(Path.Combine(directory, VimhFormat.InfoFileName)))
            return VimhDataset.Load(directory);
        if (directoryOverride is not null)
            throw new VimhDataException($"{directory}: no VIMH dataset here ({VimhFormat.InfoFileName} missing)");

        var generatorPath = Path.Combine(workspace, data.Generator);
        var overrides = data.Size is { } size ? new[] { $"dataset.size={size}" } : [];
        var generator = GeneratorConfig.Load(generatorPath, overrides);
        progress.Message($"dataset {directory} not found: generating {generator.DatasetName} from {data.Generator}");
        DatasetGenerator.Generate(generator, new GenerationOptions { OutputDirectory = directory, WriteReports = false });
        return VimhDataset.Load(directory);
    }
}
