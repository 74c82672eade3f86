using System.Globalization;
using Nsmt.Config;
using Nsmt.Core;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;

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
    private const string StartAfresh =
        "delete it to start a fresh record (stages will rerun or restore from the cache)";

    /// <summary>Values the file may expand to: it is bounded by <see cref="MaxBytes"/>, and a value takes two bytes or more.</summary>
    private const long MaxValues = MaxBytes / 2;

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
                $"{path}: lock file is {length} bytes, expected at most {MaxBytes} (LockFile.MaxBytes); {StartAfresh}"
            );
        }

        ConfigMapping root;
        try
        {
            // The config library's safe read (no alias expansion, no tags), sized for this file's own limit.
            root = ConfigYaml.Parse(File.ReadAllText(path), path, MaxValues);
        }
        catch (ConfigException e)
        {
            throw new PipelineException($"{path}: unreadable lock file ({e.Message}); {StartAfresh}", e);
        }

        if (root.Entries.Count == 0)
        {
            return file;
        }

        var schema = Count(root, "schema", "", int.MaxValue);
        if (schema != Schema)
        {
            throw new PipelineException(
                $"{path}: lock schema {schema} is not {Schema}; delete the file (stages will rerun or restore from the cache)"
            );
        }

        if (root["stages"] is { } stages)
        {
            foreach (var (name, entry) in Mapping(stages, "stages").Entries)
            {
                file._entries[name] = ReadEntry(name, Mapping(entry, $"stages.{name}"), $"stages.{name}");
            }
        }

        return file;
    }

    public void Set(LockEntry entry) => _entries[entry.Stage] = entry;

    public bool Remove(string stage) => _entries.Remove(stage);

    public void Save() => AtomicFile.WriteAllText(Path, Render());

    /// <summary>The file's text: the header, then the records through the config library's YAML writer.</summary>
    public string Render()
    {
        var stages = new ConfigMapping(Path);
        foreach (var e in _entries.Values)
        {
            stages.Set(e.Stage, EntryNode(e));
        }

        var root = new ConfigMapping(Path);
        root.Set("schema", new ConfigScalar(Schema.ToString(CultureInfo.InvariantCulture), Path));
        root.Set("stages", stages);
        return Header + ConfigYaml.Write(root);
    }

    private ConfigMapping EntryNode(LockEntry e)
    {
        var p = e.Parts;
        var node = new ConfigMapping(Path);
        node.Set("fingerprint", Text(e.Fingerprint));
        node.Set("cmd", new ConfigSequence([.. p.Command.Select(Text)], Path));
        var code = new ConfigMapping(Path);
        code.Set("files", Texts(p.Code.Files));
        code.Set("packages", Texts(p.Code.Packages));
        node.Set("code", code);
        node.Set("deps", Texts(p.Deps));
        var parameters = new ConfigMapping(Path);
        foreach (var (file, values) in p.Params)
        {
            var mapping = new ConfigMapping(Path);
            foreach (var (key, value) in values)
            {
                mapping.Set(key, value.ToNode(Path));
            }

            parameters.Set(file, mapping);
        }

        node.Set("params", parameters);
        node.Set("seed", p.Seed.ToNode(Path));
        node.Set("tools", Texts(p.Tools));
        var outs = new ConfigMapping(Path);
        foreach (var o in e.Outs)
        {
            var record = new ConfigMapping(Path) { WrittenInFlow = true };
            record.Set("kind", Text(o.Kind == PathKind.Directory ? "dir" : "file"));
            record.Set("hash", Text(o.Hash));
            record.Set("files", new ConfigScalar(o.Files.ToString(CultureInfo.InvariantCulture), Path));
            record.Set("bytes", new ConfigScalar(o.Bytes.ToString(CultureInfo.InvariantCulture), Path));
            outs.Set(o.Path, record);
        }

        node.Set("outs", outs);
        return node;
    }

    /// <summary>Text written plain where YAML reads it back as a string, quoted where it would read as another type.</summary>
    private ConfigScalar Text(string text) => (ConfigScalar)ParamValue.Of(text).ToNode(Path);

    private ConfigMapping Texts(SortedDictionary<string, string> map)
    {
        var mapping = new ConfigMapping(Path);
        foreach (var (key, value) in map)
        {
            mapping.Set(key, Text(value));
        }

        return mapping;
    }

    private static LockEntry ReadEntry(string name, ConfigMapping node, string field)
    {
        var code = Mapping(Required(node, "code", field), $"{field}.code");
        var parameters = new SortedDictionary<string, SortedDictionary<string, ParamValue>>(StringComparer.Ordinal);
        foreach (var (file, valuesNode) in Mapping(Required(node, "params", field), $"{field}.params").Entries)
        {
            var values = new SortedDictionary<string, ParamValue>(StringComparer.Ordinal);
            foreach (var (key, value) in Mapping(valuesNode, $"{field}.params.{file}").Entries)
            {
                values[key] = ParamValue.FromNode(value);
            }

            parameters[file] = values;
        }

        var outs = new List<OutputRecord>();
        foreach (var (path, value) in Mapping(Required(node, "outs", field), $"{field}.outs").Entries)
        {
            var o = Mapping(value, $"{field}.outs.{path}");
            var where = $"{field}.outs.{path}";
            var kind = Text(o, "kind", where);
            outs.Add(
                new OutputRecord(
                    path,
                    kind switch
                    {
                        "dir" => PathKind.Directory,
                        "file" => PathKind.File,
                        _ => throw Malformed(o["kind"]!, $"{where}.kind", "dir or file", $"'{kind}'"),
                    },
                    Text(o, "hash", where),
                    (int)Count(o, "files", where, int.MaxValue),
                    Count(o, "bytes", where, long.MaxValue)
                )
            );
        }

        var command =
            Required(node, "cmd", field) as ConfigSequence
            ?? throw Malformed(node["cmd"]!, $"{field}.cmd", "a list", Shape(node["cmd"]!));
        var parts = new FingerprintParts(
            Command: [.. command.Items.Select((item, i) => Scalar(item, $"{field}.cmd[{i}]"))],
            Code: new CodeIdentity(
                Texts(Required(code, "files", $"{field}.code"), $"{field}.code.files"),
                Texts(Required(code, "packages", $"{field}.code"), $"{field}.code.packages")
            ),
            Deps: Texts(Required(node, "deps", field), $"{field}.deps"),
            Params: parameters,
            Seed: ParamValue.FromNode(Required(node, "seed", field)),
            Tools: Texts(Required(node, "tools", field), $"{field}.tools"),
            Outs: [.. outs.Select(o => o.Path)]
        );
        return new LockEntry(name, Text(node, "fingerprint", field), parts, outs);
    }

    // Typed reads that name the file, line and field: a malformed lock is reported as unreadable, never as a crash.
    private static PipelineException Malformed(ConfigNode at, string field, string expected, string got) =>
        new($"{at.Origin}: unreadable lock file: field '{field}': expected {expected}, got {got}; {StartAfresh}");

    private static ConfigNode Required(ConfigMapping node, string key, string field) =>
        node[key]
        ?? throw new PipelineException(
            $"{node.Origin}: unreadable lock file: field '{Join(field, key)}' is missing; {StartAfresh}"
        );

    private static ConfigMapping Mapping(ConfigNode node, string field) =>
        node as ConfigMapping ?? throw Malformed(node, field, "a mapping", Shape(node));

    private static string Scalar(ConfigNode node, string field) =>
        node is ConfigScalar s ? s.Text : throw Malformed(node, field, "a single value", Shape(node));

    private static string Text(ConfigMapping node, string key, string field) =>
        Scalar(Required(node, key, field), Join(field, key));

    private static long Count(ConfigMapping node, string key, string field, long max)
    {
        var text = Text(node, key, field);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n
            : throw Malformed(node[key]!, Join(field, key), $"a whole number up to {max}", $"'{text}'");
    }

    private static SortedDictionary<string, string> Texts(ConfigNode node, string field)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Mapping(node, field).Entries)
        {
            map[key] = Scalar(value, Join(field, key));
        }

        return map;
    }

    private static string Join(string field, string key) => field.Length == 0 ? key : $"{field}.{key}";

    private static string Shape(ConfigNode node) =>
        node switch
        {
            ConfigMapping => "a mapping",
            ConfigSequence => "a list",
            _ => "a single value",
        };
}
