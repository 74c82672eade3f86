namespace Nsmt.Pipeline.Definition;

/// <summary>How a stage's program is launched, and what its code identity is made of.</summary>
public abstract record StageProgram;

/// <summary>
/// A .NET stage project, run as <c>dotnet bin/.../Name.dll</c> (built once up front, so no per-stage build or
/// <c>dotnet run</c> start-up). Its code identity is the built assemblies of the project and every project it
/// references, the packages it uses, and native libraries next to them (the libtorch shim).
/// </summary>
public sealed record ProjectProgram(string ProjectDirectory, string AssemblyPath) : StageProgram;

/// <summary>Any command (its argv is in the stage's arguments); its code identity is the listed code files.</summary>
public sealed record CommandProgram(IReadOnlyList<string> CodeFiles) : StageProgram;

/// <summary>A declared dependency or output: a workspace-relative path, optionally named for <c>${deps.NAME}</c>.</summary>
public sealed record StagePath(string? Name, string Path);

/// <summary>
/// A params file and the keys a stage reads from it (none listed: every key of the file). <see cref="Under"/> mounts
/// the file's keys under a prefix, the way a composed config sees them (configs/model/x.yaml's <c>optimizer.lr</c>
/// is the stage's <c>model.optimizer.lr</c>).
/// </summary>
public sealed record ParamSource(string File, IReadOnlyList<string> Keys, string? Under = null);

/// <summary>One stage instance of the resolved pipeline (a declared stage for one experiment or key).</summary>
public sealed class Stage
{
    /// <summary>Unique name: <c>train@spectral_small</c>, or the declared name for a stage without a key.</summary>
    public required string Name { get; init; }

    /// <summary>The declared stage this instance comes from (<c>train</c>).</summary>
    public required string Definition { get; init; }

    /// <summary>The group the build runs together (Generate, Train, ...: one Cake target each).</summary>
    public required string Phase { get; init; }

    public string? Experiment { get; init; }

    public string? Description { get; init; }

    public required StageProgram Program { get; init; }

    /// <summary>Arguments after the program (for a command stage: the whole command).</summary>
    public required IReadOnlyList<StageArgument> Arguments { get; init; }

    public required IReadOnlyList<StagePath> Deps { get; init; }

    /// <summary>Params files named in pipeline.yaml: for command stages, and dependencies beyond a program's config.</summary>
    public required IReadOnlyList<ParamSource> Params { get; init; }

    /// <summary>
    /// <c>report_params: true</c>: the stage's program reports which config files and values it reads (it composes
    /// and binds its config as a run would, and stops; <see cref="Nsmt.Config.ConfigReads"/>), and those are its params.
    /// </summary>
    public bool ReportsParams { get; init; }

    public required IReadOnlyList<StagePath> Outs { get; init; }

    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>The params key whose value is recorded as the stage's seed.</summary>
    public string SeedKey { get; init; } = "seed";

    /// <summary>What it asks of a batch scheduler (CPUs, memory, time, GPUs); not part of the fingerprint.</summary>
    public StageResources Resources { get; init; } = StageResources.None;

    /// <summary>Where it was declared, for messages (pipeline.yaml:42).</summary>
    public required string Origin { get; init; }

    /// <summary>The full command line, with outputs at <paramref name="outputPath"/> (their final paths by default).</summary>
    public IReadOnlyList<string> CommandLine(Func<int, string>? outputPath = null)
    {
        outputPath ??= i => Outs[i].Path;
        var argv = new List<string>();
        if (Program is ProjectProgram p)
        {
            argv.Add("dotnet");
            argv.Add(p.AssemblyPath);
        }

        argv.AddRange(Arguments.Select(a => a.Render(outputPath)));
        return argv;
    }

    public override string ToString() => Name;
}
