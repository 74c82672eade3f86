using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.Fingerprints;

/// <summary>Asks a stage's program what it reads of its config (<see cref="ConfigReads"/>' describe protocol).</summary>
public interface IConfigReadsSource
{
    /// <summary>The reads of the stage's program run with <paramref name="arguments"/> (its argv after the program).</summary>
    ConfigReads Describe(Stage stage, ProjectProgram program, IReadOnlyList<string> arguments);
}

/// <summary>
/// Runs the stage's program as the pipeline would run it (same argv, working directory the workspace) with
/// <see cref="ConfigReads.DescribeVariable"/> set: it composes and binds its config through its own code, reports
/// and exits. So the pipeline knows a stage's params before it runs, from the code that will read them, and
/// stays free of the stages' libraries.
/// </summary>
public sealed class ProgramConfigReads(string root) : IConfigReadsSource
{
    public ConfigReads Describe(Stage stage, ProjectProgram program, IReadOnlyList<string> arguments)
    {
        var report = Path.Combine(Path.GetTempPath(), $"nsmt-reads-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkspacePath.ToFull(root, program.AssemblyPath));
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment[ConfigReads.DescribeVariable] = report;
        try
        {
            using var process = Process.Start(start)
                ?? throw new PipelineException($"stage {stage.Name}: could not start dotnet");
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(report))
            {
                var message = error.Result.Trim();
                throw new PipelineException(
                    $"stage {stage.Name}: its config cannot be read: {(message.Length > 0 ? message : $"exit code {process.ExitCode}")}"
                );
            }

            return ConfigReads.FromJson(File.ReadAllText(report), $"stage {stage.Name}'s config reads");
        }
        finally
        {
            File.Delete(report);
        }
    }
}

/// <summary>
/// A reporting stage's params: the files its program read, workspace-relative, each with the values read from it
/// keyed as written in that file. Reports are kept per command line for the life of one calculator and, with a
/// <paramref name="cacheDirectory"/>, on disk: a report stays valid while the stage's code, its argv and the content
/// of every file it read are unchanged (what a deterministic program reads is decided by exactly those), so Status
/// starts a stage's program only after one of them changed.
/// </summary>
public sealed class ReportedParams(
    WorkspaceHasher hasher,
    IConfigReadsSource source,
    Func<Stage, CodeIdentity> code,
    string? cacheDirectory = null
)
{
    private readonly string _root = hasher.Root;

    private readonly Dictionary<
        string,
        (ConfigReads Reads, SortedDictionary<string, SortedDictionary<string, ParamValue>> Params)
    > _reports = new(StringComparer.Ordinal);

    /// <summary>The composed keys the stage reads (where <c>--set KEY=VALUE</c> overrides go).</summary>
    public IReadOnlyList<string> Keys(Stage stage, IReadOnlyList<string> arguments) =>
        Report(stage, arguments).Reads.Keys;

    public SortedDictionary<string, SortedDictionary<string, ParamValue>> Params(
        Stage stage,
        IReadOnlyList<string> arguments
    ) => Report(stage, arguments).Params;

    private (ConfigReads Reads, SortedDictionary<string, SortedDictionary<string, ParamValue>> Params) Report(
        Stage stage,
        IReadOnlyList<string> arguments
    )
    {
        if (stage.Program is not ProjectProgram program)
        {
            throw new PipelineException($"{stage.Origin}: stage {stage.Name}: report_params needs a stage project");
        }

        var key = string.Join('\0', [stage.Name, .. arguments]);
        if (_reports.TryGetValue(key, out var known))
        {
            return known;
        }

        var cacheFile = cacheDirectory is null
            ? null
            : Path.Combine(
                cacheDirectory,
                ContentHasher.HashText(
                    string.Join(
                        '\0',
                        [
                            code(stage).Files.Count.ToString(CultureInfo.InvariantCulture),
                            .. code(stage).Files.Select(f => $"{f.Key}={f.Value}"),
                            .. code(stage).Packages.Select(p => $"{p.Key}={p.Value}"),
                            "--",
                            .. arguments,
                        ]
                    )
                ) + ".json"
            );
        ConfigReads reads;
        try
        {
            reads = Cached(stage, cacheFile) ?? source.Describe(stage, program, arguments);
        }
        catch (ConfigException e)
        {
            throw new PipelineException($"stage {stage.Name}: {e.Message}");
        }

        if (cacheFile is not null)
        {
            Remember(stage, cacheFile, reads);
        }

        var result = new SortedDictionary<string, SortedDictionary<string, ParamValue>>(StringComparer.Ordinal);
        foreach (var (file, values) in reads.Files)
        {
            var relative = Relative(stage, file);
            var section = result.TryGetValue(relative, out var existing)
                ? existing
                : result[relative] = new(StringComparer.Ordinal);
            foreach (var (k, node) in values)
            {
                section[k] = ParamValue.FromNode(node);
            }
        }

        return _reports[key] = (reads, result);
    }

    /// <summary>The cached report, if every file it names still has the content it had.</summary>
    private ConfigReads? Cached(Stage stage, string? cacheFile)
    {
        if (cacheFile is null || !File.Exists(cacheFile))
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize(
                File.ReadAllText(cacheFile),
                PipelineJsonContext.Default.CacheEntryJson
            ) ?? throw new InvalidOperationException("the cache entry is null");
            foreach (var (file, hash) in entry.Hashes)
            {
                if (hasher.Hash(file).Hash != hash)
                {
                    return null;
                }
            }

            return ConfigReads.FromJson(entry.Report, cacheFile);
        }
        catch (Exception e)
            when (e
                    is JsonException
                        or KeyNotFoundException
                        or InvalidOperationException
                        or ConfigException
                        or IOException
            )
        {
            return null; // a damaged cache entry is only a miss
        }
    }

    private void Remember(Stage stage, string cacheFile, ConfigReads reads)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in reads.Files.Keys)
        {
            var relative = Relative(stage, file);
            hashes[relative] = hasher.Hash(relative).Hash;
        }

        Directory.CreateDirectory(cacheDirectory!);
        AtomicFile.WriteAllText(cacheFile, CacheEntry(hashes, reads.ToJson()));
    }

    /// <summary>A cache entry: the content hash of each config file the report names, and the report.</summary>
    internal static string CacheEntry(IReadOnlyDictionary<string, string> hashes, string report) =>
        JsonSerializer.Serialize(new CacheEntryJson(hashes, report), PipelineJsonContext.Default.CacheEntryJson);

    /// <summary>A file the program read, as a workspace path (a config outside the workspace is not reproducible from it).</summary>
    private string Relative(Stage stage, string file)
    {
        var full = Path.GetFullPath(file, _root);
        var relative = Path.GetRelativePath(_root, full).Replace(Path.DirectorySeparatorChar, '/');
        return relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative)
            ? throw new PipelineException($"stage {stage.Name}: reads config {full}, outside the workspace {_root}")
            : relative;
    }
}

/// <summary>A reported-parameters cache entry: the content hash of each config file the report names, and the report.</summary>
internal sealed record CacheEntryJson(IReadOnlyDictionary<string, string> Hashes, string Report);

/// <summary>
/// The pipeline's JSON, written from source-generated records (compact: a cache, not read by people). An entry read back
/// must have both fields, not null; a damaged one is a JsonException, which the cache counts as a miss.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true
)]
[JsonSerializable(typeof(CacheEntryJson))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext;
