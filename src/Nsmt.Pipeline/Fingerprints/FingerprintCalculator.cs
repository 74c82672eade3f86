using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>A declared dependency is absent (and, if another stage writes it, that stage has not run).</summary>
public sealed class MissingDependencyException(string stage, string path, string message) : PipelineException(message)
{
    public string Stage { get; } = stage;

    public string Path { get; } = path;
}

/// <summary>Computes a stage's <see cref="FingerprintParts"/> from the workspace as it is now.</summary>
public sealed class FingerprintCalculator
{
    private readonly WorkspaceHasher _hasher;
    private readonly ParamFiles _params;
    private readonly ReportedParams _reported;
    private readonly CodeIdentityReader _code;
    private readonly IReadOnlyDictionary<string, List<ParamOverride>> _overrides;

    /// <param name="reads">How reporting stages (report_params) are asked what they read; by default their programs are run.</param>
    /// <param name="readsCache">Where reports are kept between runs (none: asked every time).</param>
    public FingerprintCalculator(
        WorkspaceHasher hasher,
        StageGraph graph,
        IReadOnlyList<ParamOverride> overrides,
        IConfigReadsSource? reads = null,
        string? readsCache = null
    )
    {
        _hasher = hasher;
        _params = new ParamFiles(hasher.Root);
        _code = new CodeIdentityReader(hasher);
        _reported = new ReportedParams(hasher, reads ?? new ProgramConfigReads(hasher.Root), _code.Read, readsCache);
        _overrides =
            overrides.Count == 0
                ? graph.Stages.ToDictionary(s => s.Name, _ => new List<ParamOverride>(), StringComparer.Ordinal)
                : ParamOverride.Route(overrides, graph.Stages, ReadsKey);
    }

    /// <summary>Whether the stage reads <paramref name="key"/> (a --set without a stage goes to each stage that does).</summary>
    private bool ReadsKey(Stage stage, string key) =>
        stage.Params.Any(p => _params.Values(p, stage.Origin).ContainsKey(key))
        || (
            stage.ReportsParams
            && _reported
                .Keys(stage, Arguments(stage, []))
                .Any(k => k == key || k.StartsWith(key + ".", StringComparison.Ordinal))
        );

    /// <summary>The argv after the program, as the stage runs (outputs at their final paths) with these overrides.</summary>
    private static IReadOnlyList<string> Arguments(Stage stage, IReadOnlyList<ParamOverride> overrides) =>
        [.. stage.Arguments.Select(a => a.Render(i => stage.Outs[i].Path)), .. overrides.Select(o => o.Argument)];

    public IReadOnlyList<ParamOverride> OverridesFor(Stage stage) =>
        _overrides.TryGetValue(stage.Name, out var o) ? o : [];

    /// <summary>The stage's argv with outputs at <paramref name="outputPath"/>, overrides appended as key=value.</summary>
    public IReadOnlyList<string> CommandLine(Stage stage, Func<int, string>? outputPath = null) =>
        [.. stage.CommandLine(outputPath), .. OverridesFor(stage).Select(o => o.Argument)];

    /// <summary>
    /// The stage's params, file by file: what its program reports it reads (report_params), the params files listed
    /// for it, and its --set overrides. A change here is a change of what the stage computes.
    /// </summary>
    public SortedDictionary<string, SortedDictionary<string, ParamValue>> Params(Stage stage)
    {
        var parameters = stage.ReportsParams
            ? new SortedDictionary<string, SortedDictionary<string, ParamValue>>(
                _reported
                    .Params(stage, Arguments(stage, OverridesFor(stage)))
                    .ToDictionary(
                        kv => kv.Key,
                        kv => new SortedDictionary<string, ParamValue>(kv.Value, StringComparer.Ordinal)
                    ),
                StringComparer.Ordinal
            )
            : new SortedDictionary<string, SortedDictionary<string, ParamValue>>(StringComparer.Ordinal);
        foreach (var p in stage.Params)
        {
            var selected = _params.Values(p, $"{stage.Origin}: stage {stage.Name}");
            if (parameters.TryGetValue(p.File, out var existing))
            {
                foreach (var (k, v) in selected)
                {
                    existing[k] = v;
                }
            }
            else
            {
                parameters[p.File] = selected;
            }
        }

        var overrides = OverridesFor(stage);
        if (overrides.Count > 0)
        {
            parameters[FingerprintParts.OverridesSection] = new SortedDictionary<string, ParamValue>(
                overrides.ToDictionary(o => o.Key, o => o.Value),
                StringComparer.Ordinal
            );
        }

        return parameters;
    }

    public FingerprintParts Compute(Stage stage)
    {
        var code = _code.Read(stage);
        var deps = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in stage.Deps)
        {
            var h = _hasher.Hash(d.Path);
            if (h.Kind == PathKind.Missing)
            {
                throw new MissingDependencyException(
                    stage.Name,
                    d.Path,
                    $"stage {stage.Name}: dependency {d.Path} does not exist ({stage.Origin})"
                );
            }

            deps[d.Path] = h.Hash;
        }

        var parameters = Params(stage);
        var overrides = OverridesFor(stage);

        // The seed: an override wins, then the params files in declaration order, then the files a stage reported.
        var seed = overrides.FirstOrDefault(o => o.Key == stage.SeedKey)?.Value
            ?? stage
                .Params.Select(p => parameters[p.File].GetValueOrDefault(stage.SeedKey))
                .Concat(parameters.Values.Select(values => values.GetValueOrDefault(stage.SeedKey)))
                .FirstOrDefault(v => v is not null)
            ?? ParamValue.Null;
        // Overrides are appended to the argv at run time; they are recorded once, as params, not in the command.
        return new FingerprintParts(
            stage.CommandLine(),
            code,
            deps,
            parameters,
            seed,
            ToolVersions.For(stage, code),
            stage.Outs.Select(o => o.Path).ToList()
        );
    }
}
