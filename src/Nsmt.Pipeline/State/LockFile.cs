using System.Globalization;
using System.Text;
using Nsmt.Core;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.State;

/// <summary>An output as recorded after its stage succeeded.</summary>
public sealed record OutputRecord(string Path, PathKind Kind, string Hash, int Files, long Bytes)
{
    public static OutputRecord From(PathHash h) => new(h.Path, h.Kind, h.Hash, h.FileCount, h.Bytes);
}

/// <summary>One stage's record: its fingerprint, the parts it was computed from, and the outputs it produced.</summary>
public sealed record LockEntry(
    string Stage,
    string Fingerprint,
    FingerprintParts Parts,
    IReadOnlyList<OutputRecord> Outs
);

/// <summary>
/// artifacts/pipeline.lock: per stage, what it last ran with and what it produced. YAML in a fixed order (stages
/// and keys sorted), so it is readable, diffable and byte-identical for identical runs. Rewritten atomically after
/// every successful stage, so a later failure keeps the earlier results.
/// </summary>
public sealed class LockFile
{
    public const int Schema = 1;

    /// <summary>
    /// Bytes of a lock file we read (parsed whole, several times its size in memory); one stage's entry is about
    /// 1 kB, so this holds tens of thousands of stages.
    /// </summary>
    public const long MaxBytes = 64L << 20;
    private const string Header =
        "# Written by Nsmt.Pipeline after each successful stage: what every stage last ran with (its fingerprint and\n"
        + "# the parts it is computed from) and the outputs it produced. Do not edit; `dotnet cake --target=Status`\n"
        + "# explains what changed since.\n";

    private readonly SortedDictionary<string, LockEntry> _entries = new(StringComparer.Ordinal);

    public LockFile(string path) => Path = path;

    public string Path { get; }

    public IReadOnlyCollection<LockEntry> Entries => _entries.Values;

    public LockEntry? this[string stage] => _entries.TryGetValue(stage, out var e) ? e : null;

    public static LockFile Load(string path)
    {
        var file = new LockFile(path);
        if (!File.Exists(path))
        {
            return file;
        }

        var length = new FileInfo(path).Length;
        if (length > MaxBytes)
        {
            throw new PipelineException(
                $"{path}: lock file is {length} bytes, expected at most {MaxBytes} (LockFile.MaxBytes); delete it to start a fresh record (stages will rerun or restore from the cache)"
            );
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
            if (stream.Documents.Count == 0)
            {
                return file;
            }

            var root =
                stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new FormatException("the top level is not a mapping");
            var schema = int.Parse(Text(root, "schema"), CultureInfo.InvariantCulture);
            if (schema != Schema)
            {
                throw new PipelineException(
                    $"{path}: lock schema {schema} is not {Schema}; delete the file (stages will rerun or restore from the cache)"
                );
            }

            if (
                root.Children.TryGetValue(new YamlScalarNode("stages"), out var stagesNode)
                && stagesNode is YamlMappingNode stages
            )
            {
                foreach (var (k, v) in stages.Children)
                {
                    var name = Value(k, "a stage name");
                    file._entries[name] = ReadEntry(
                        name,
                        v as YamlMappingNode ?? throw new FormatException($"stage '{name}' is not a mapping")
                    );
                }
            }
        }
        catch (Exception e)
            when (e
                    is YamlException
                        or KeyNotFoundException
                        or FormatException
                        or OverflowException
                        or InvalidOperationException
                        or ArgumentException
            ) // YamlDotNet throws the last two on some malformed text (fuzzing)
        {
            throw new PipelineException(
                $"{path}: unreadable lock file ({e.Message}); delete it to start a fresh record (stages will rerun or restore from the cache)"
            );
        }

        return file;
    }

    public void Set(LockEntry entry) => _entries[entry.Stage] = entry;

    public bool Remove(string stage) => _entries.Remove(stage);

    public void Save() => AtomicFile.WriteAllText(Path, Render());

    public string Render()
    {
        var sb = new StringBuilder(Header);
        sb.Append("schema: ").Append(Schema).Append('\n');
        sb.Append("stages:");
        if (_entries.Count == 0)
        {
            sb.Append(" {}");
        }

        sb.Append('\n');
        foreach (var e in _entries.Values)
        {
            WriteEntry(sb, e);
        }

        return sb.ToString();
    }

    private static void WriteEntry(StringBuilder sb, LockEntry e)
    {
        var p = e.Parts;
        sb.Append("  ").Append(YamlText.Scalar(e.Stage)).Append(":\n");
        sb.Append("    fingerprint: ").Append(e.Fingerprint).Append('\n');
        sb.Append("    cmd: [").Append(string.Join(", ", p.Command.Select(YamlText.FlowItem))).Append("]\n");
        sb.Append("    code:\n");
        WriteMap(sb, "      files", p.Code.Files);
        WriteMap(sb, "      packages", p.Code.Packages);
        WriteMap(sb, "    deps", p.Deps);
        sb.Append("    params:");
        sb.Append(p.Params.Count == 0 ? " {}\n" : "\n");
        foreach (var (file, values) in p.Params)
        {
            sb.Append("      ").Append(YamlText.Scalar(file)).Append(':').Append(values.Count == 0 ? " {}\n" : "\n");
            foreach (var (k, v) in values)
            {
                sb.Append("        ").Append(YamlText.Scalar(k)).Append(": ").Append(v.ToYamlFlow()).Append('\n');
            }
        }

        sb.Append("    seed: ").Append(p.Seed.ToYamlFlow()).Append('\n');
        WriteMap(sb, "    tools", p.Tools);
        sb.Append("    outs:").Append(e.Outs.Count == 0 ? " {}\n" : "\n");
        foreach (var o in e.Outs)
        {
            sb.Append("      ")
                .Append(YamlText.Scalar(o.Path))
                .Append(": {kind: ")
                .Append(o.Kind == PathKind.Directory ? "dir" : "file")
                .Append(", hash: ")
                .Append(o.Hash)
                .Append(", files: ")
                .Append(o.Files.ToString(CultureInfo.InvariantCulture))
                .Append(", bytes: ")
                .Append(o.Bytes.ToString(CultureInfo.InvariantCulture))
                .Append("}\n");
        }
    }

    private static void WriteMap(StringBuilder sb, string label, SortedDictionary<string, string> map)
    {
        sb.Append(label).Append(':').Append(map.Count == 0 ? " {}\n" : "\n");
        string indent = new(' ', label.Length - label.TrimStart().Length + 2);
        foreach (var (k, v) in map)
        {
            sb.Append(indent).Append(YamlText.Scalar(k)).Append(": ").Append(YamlText.Scalar(v)).Append('\n');
        }
    }

    private static LockEntry ReadEntry(string name, YamlMappingNode node)
    {
        var code = Map(node, "code");
        var parameters = new SortedDictionary<string, SortedDictionary<string, ParamValue>>(StringComparer.Ordinal);
        foreach (var (fileNode, valuesNode) in Map(node, "params").Children)
        {
            var values = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
            var file = Value(fileNode, "a params file");
            foreach (
                var (k, v) in (
                    valuesNode as YamlMappingNode ?? throw new FormatException($"params of '{file}' are not a mapping")
                ).Children
            )
            {
                values[Value(k, "a param name")] = ParamValue.FromYaml(v, "pipeline.lock");
            }

            parameters[file] = values;
        }

        var outs = new List<OutputRecord>();
        foreach (var (k, v) in Map(node, "outs").Children)
        {
            var path = Value(k, "an output path");
            var o = v as YamlMappingNode ?? throw new FormatException($"output '{path}' is not a mapping");
            outs.Add(
                new OutputRecord(
                    path,
                    Text(o, "kind") == "dir" ? PathKind.Directory : PathKind.File,
                    Text(o, "hash"),
                    int.Parse(Text(o, "files"), CultureInfo.InvariantCulture),
                    long.Parse(Text(o, "bytes"), CultureInfo.InvariantCulture)
                )
            );
        }

        var parts = new FingerprintParts(
            Command: (
                node.Children[new YamlScalarNode("cmd")] as YamlSequenceNode
                ?? throw new FormatException("'cmd' is not a list")
            )
                .Children.Select(c => Value(c, "a cmd item"))
                .ToList(),
            Code: new CodeIdentity(StringMap(Map(code, "files")), StringMap(Map(code, "packages"))),
            Deps: StringMap(Map(node, "deps")),
            Params: parameters,
            Seed: ParamValue.FromYaml(node.Children[new YamlScalarNode("seed")], "pipeline.lock"),
            Tools: StringMap(Map(node, "tools")),
            Outs: outs.Select(o => o.Path).ToList()
        );
        return new LockEntry(name, Text(node, "fingerprint"), parts, outs);
    }

    // Typed reads that name what is wrong: a malformed lock is reported as unreadable, never as a crash.
    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children[new YamlScalarNode(key)] as YamlMappingNode
        ?? throw new FormatException($"'{key}' is not a mapping");

    private static string Text(YamlMappingNode node, string key) =>
        Value(node.Children[new YamlScalarNode(key)], $"'{key}'");

    private static string Value(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new FormatException($"{what} is not a single value");

    private static SortedDictionary<string, string> StringMap(YamlMappingNode node)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in node.Children)
        {
            map[Value(k, "a key")] = Value(v, "a value");
        }

        return map;
    }
}
