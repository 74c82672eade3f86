using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
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
            using var doc = JsonDocument.Parse(File.ReadAllText(cacheFile));
            foreach (var file in doc.RootElement.GetProperty("hashes").EnumerateObject())
            {
                if (hasher.Hash(file.Name).Hash != file.Value.GetString())
                {
                    return null;
                }
            }

            return ConfigReads.FromJson(doc.RootElement.GetProperty("report").GetString() ?? "", cacheFile);
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
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartObject("hashes");
            foreach (var file in reads.Files.Keys)
            {
                var relative = Relative(stage, file);
                json.WriteString(relative, hasher.Hash(relative).Hash);
            }

            json.WriteEndObject();
            json.WriteString("report", reads.ToJson());
            json.WriteEndObject();
        }

        Directory.CreateDirectory(cacheDirectory!);
        AtomicFile.WriteAllBytes(cacheFile, stream.ToArray());
    }

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
