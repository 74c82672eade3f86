using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Nsmt.Core;

namespace Nsmt.Config;

/// <summary>
/// What a program read of its config, known from the config itself: every file the composition took values from
/// (each node remembers its file:line:column) and, per file, the values the binder read, keyed as they are written
/// in that file (<c>tensorboard</c> of configs/logger/default.yaml, not the composed <c>logger.tensorboard</c>). A
/// value an experiment overrides is read from the experiment, not from the group file under it. The pipeline
/// fingerprints a stage by exactly this set, so its record of what a stage depends on cannot drift from the code.
/// </summary>
public sealed partial class ConfigReads
{
    /// <summary>
    /// The describe protocol: a stage program run with this variable set to a file path composes and binds its
    /// config as a run would, writes its reads there (<see cref="ToJson"/>) and exits without doing its work.
    /// </summary>
    public const string DescribeVariable = "NSMT_DESCRIBE_READS";

    private static readonly AsyncLocal<string?> InProcessRequest = new();

    // (file, key in file) -> the key as the binder saw it; known only where the reads were taken (not in a report).
    private readonly Dictionary<(string File, string Key), string> _composedKeysOf;

    private ConfigReads(
        IReadOnlyList<string> keys,
        SortedDictionary<string, SortedDictionary<string, ConfigNode>> files,
        Dictionary<(string File, string Key), string>? composedKeys = null
    )
    {
        Keys = keys;
        Files = files;
        _composedKeysOf = composedKeys ?? [];
    }

    /// <summary>The reads of a program that reads no config (its inputs are files the pipeline hashes as dependencies).</summary>
    public static ConfigReads None =>
        new([], new SortedDictionary<string, SortedDictionary<string, ConfigNode>>(StringComparer.Ordinal));

    /// <summary>The composed keys the binder asked for, sorted (a key absent from every file keeps its default in code).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>File (as the program named it) -> key within that file -> the value read.</summary>
    public SortedDictionary<string, SortedDictionary<string, ConfigNode>> Files { get; }

    /// <summary>Where a describe request asks the reads to go (null: a normal run).</summary>
    public static string? RequestedReport =>
        InProcessRequest.Value
        ?? (Environment.GetEnvironmentVariable(DescribeVariable) is { Length: > 0 } path ? path : null);

    /// <summary>Asks for a describe in this process (tests run stage programs in-process; the variable would leak to children).</summary>
    public static IDisposable RequestInProcess(string reportPath)
    {
        var before = InProcessRequest.Value;
        InProcessRequest.Value = reportPath;
        return new Restore(() => InProcessRequest.Value = before);
    }

    /// <summary>The reads of a binder that has finished (after <see cref="ConfigReader.RejectUnknown"/>).</summary>
    public static ConfigReads Of(ConfigReader reader)
    {
        var files = new SortedDictionary<string, SortedDictionary<string, ConfigNode>>(StringComparer.Ordinal);
        foreach (var origin in AllOrigins(reader.Root))
        {
            if (FileOf(origin) is { } file)
            {
                files.TryAdd(file.Path, new SortedDictionary<string, ConfigNode>(StringComparer.Ordinal));
            }
        }

        var composedKeys = new Dictionary<(string, string), string>();
        var parsed = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (path, node) in reader.ReadLeaves())
        {
            if (FileOf(node.Origin) is not { } file)
            {
                continue; // an override or a name given on the command line: the stage's argv holds it
            }

            if (!parsed.TryGetValue(file.Path, out var keysByOrigin))
            {
                parsed[file.Path] = keysByOrigin = KeysByOrigin(file.Path);
            }
            // A value copied by interpolation is read where it is written; a key the file does not hold as a leaf
            // (a value built from text around a reference) is named as the stage sees it.
            var key = keysByOrigin.GetValueOrDefault(node.Origin) ?? path;
            files[file.Path][key] = node;
            composedKeys[(file.Path, key)] = path;
        }

        return new ConfigReads([.. reader.AskedKeys.Order(StringComparer.Ordinal)], files, composedKeys);
    }

    /// <summary>Only the reads of keys at or under <paramref name="prefixes"/> (what a stage uses of a config it binds whole).</summary>
    public ConfigReads Within(params string[] prefixes)
    {
        bool Kept(string composed) =>
            prefixes.Any(p => composed == p || composed.StartsWith(p + ".", StringComparison.Ordinal));
        var files = new SortedDictionary<string, SortedDictionary<string, ConfigNode>>(StringComparer.Ordinal);
        var composedKeys = new Dictionary<(string, string), string>();
        foreach (var (file, values) in Files)
        {
            // Every file stays listed: it was read, only none of its values may matter.
            files[file] = new SortedDictionary<string, ConfigNode>(StringComparer.Ordinal);
            foreach (var (key, node) in values)
            {
                if (_composedKeysOf.GetValueOrDefault((file, key)) is { } composed && Kept(composed))
                {
                    files[file][key] = node;
                    composedKeys[(file, key)] = composed;
                }
            }
        }

        return new ConfigReads([.. Keys.Where(Kept)], files, composedKeys);
    }

    /// <summary>Writes the describe report (atomically) and returns the exit code for a describe run.</summary>
    public int Report(string path)
    {
        AtomicFile.WriteAllText(path, ToJson());
        return 0;
    }

    /// <summary><c>{"keys": [...], "files": {FILE: {KEY: YAML flow text}}}</c>: values as YAML, which keeps quoted strings strings.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(
            new ConfigReadsJson(
                Keys,
                Files.ToDictionary(
                    f => f.Key,
                    f =>
                        (IReadOnlyDictionary<string, string>)
                            f.Value.ToDictionary(v => v.Key, v => ConfigYaml.FlowText(v.Value))
                )
            ),
            ConfigJsonContext.Default.ConfigReadsJson
        );

    /// <summary>Reads a describe report back; values are config nodes again (origins: the report and the file).</summary>
    public static ConfigReads FromJson(string text, string origin)
    {
        try
        {
            var report = JsonSerializer.Deserialize(text, ConfigJsonContext.Default.ConfigReadsJson)
                ?? throw new InvalidOperationException("the report is null");
            var files = new SortedDictionary<string, SortedDictionary<string, ConfigNode>>(StringComparer.Ordinal);
            foreach (var (file, fileValues) in report.Files)
            {
                var values = files[file] = new SortedDictionary<string, ConfigNode>(StringComparer.Ordinal);
                foreach (var (key, flowText) in fileValues)
                {
                    values[key] = ConfigYaml.Parse("v: " + flowText, $"{origin} ({file}: {key})")["v"]!;
                }
            }

            return new ConfigReads([.. report.Keys], files);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ConfigException($"{origin}: not a config reads report ({e.Message})", e);
        }
    }

    private static IEnumerable<string> AllOrigins(ConfigNode node)
    {
        yield return node.Origin;
        var children = node switch
        {
            ConfigMapping m => m.Entries.Select(e => e.Value),
            ConfigSequence q => q.Items,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var origin in AllOrigins(child))
            {
                yield return origin;
            }
        }
    }

    /// <summary>The file of an origin (file:line:column, or a file's root mapping); null for overrides and names given in code.</summary>
    private static (string Path, string? Position)? FileOf(string origin)
    {
        if (ConfigOverride.IsOverride(origin))
        {
            return null;
        }

        var match = PositionPattern().Match(origin);
        var path = match.Success ? match.Groups[1].Value : origin;
        return File.Exists(path) ? (path, match.Success ? match.Groups[2].Value : null) : null;
    }

    /// <summary>The file's leaves by origin: which key of the file a composed node came from.</summary>
    private static Dictionary<string, string> KeysByOrigin(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in ConfigYaml.ReadFile(path).Leaves())
        {
            result.TryAdd(node.Origin, key);
        }

        return result;
    }

    [GeneratedRegex(@"^(.*):(\d+:\d+)$")]
    private static partial Regex PositionPattern();

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>The describe report as written: the keys read, and per file each key's value as YAML flow text.</summary>
internal sealed record ConfigReadsJson(
    IReadOnlyList<string> Keys,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Files
);

/// <summary>
/// The library's JSON, written from source-generated records. A report read back must have both fields, not null (a
/// damaged one is a JsonException, which FromJson turns into a ConfigException).
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true
)]
[JsonSerializable(typeof(ConfigReadsJson))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
