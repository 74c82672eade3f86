using Nsmt.Core;
using Nsmt.Neural;
using Nsmt.Spectral.Models;

namespace Nsmt.Spectral.Training.Config;

/// <summary>
/// Composes a run's config the way the template's Hydra setup does: <c>train.yaml</c> names a default file per
/// group (data, model, trainer, callbacks, logger); an experiment file may pick other group files and override
/// any key; then <c>key=value</c> overrides from the command line (<c>group=name</c> picks a group file,
/// <c>+key=value</c> adds a key that does not exist yet).
/// </summary>
public sealed class ConfigComposer(string configRoot)
{
    public const string PrimaryFile = "train.yaml";

    public string ConfigRoot { get; } = configRoot;

    /// <summary>The experiments available (file names under experiment/ without extension), sorted.</summary>
    public IReadOnlyList<string> Experiments() => GroupOptions("experiment");

    public IReadOnlyList<string> GroupOptions(string group)
    {
        var dir = Path.Combine(ConfigRoot, group);
        return Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)]
            : [];
    }

    public ConfigMapping Compose(string? experiment, IEnumerable<string> overrides)
    {
        var primaryPath = Path.Combine(ConfigRoot, PrimaryFile);
        if (!File.Exists(primaryPath))
            throw new ConfigException($"{primaryPath}: the primary config is missing (expected configs/{PrimaryFile} with a defaults: mapping)");
        var primary = ConfigYaml.ReadFile(primaryPath);
        var choices = TakeDefaults(primary, primaryPath);

        ConfigMapping? experimentBody = null;
        if (experiment is not null)
        {
            var path = Path.Combine(ConfigRoot, "experiment", experiment + ".yaml");
            if (!File.Exists(path))
            {
                throw new ConfigException($"unknown experiment '{experiment}'{NearestName.Suggestion(experiment, Experiments())}; " +
                    $"experiments are the files in {Path.Combine(ConfigRoot, "experiment")}");
            }
            experimentBody = ConfigYaml.ReadFile(path);
            foreach (var (group, name) in TakeDefaults(experimentBody, path))
                choices[group] = name;
        }

        var parsed = overrides.Select(ConfigOverride.Parse).ToList();
        foreach (var o in parsed.Where(o => IsGroupChoice(o, choices)))
            choices[o.Path] = ((ConfigScalar)o.Value).Text;

        var composed = new ConfigMapping(primaryPath);
        foreach (var (group, name) in choices)
            composed.Set(group, LoadGroup(group, name));
        composed.Merge(primary);
        if (experimentBody is not null)
            composed.Merge(experimentBody);
        // Runs of an experiment are logged under its name unless the experiment names its task itself.
        if (experiment is not null && experimentBody!["task_name"] is null)
            composed.Set("task_name", new ConfigScalar(experiment, $"experiment name ({experiment})"));

        foreach (var o in parsed.Where(o => !IsGroupChoice(o, choices)))
            o.ApplyTo(composed);

        var provenance = new ConfigMapping("composition");
        provenance.Set("experiment", new ConfigScalar(experiment ?? "null", "command line"));
        foreach (var (group, name) in choices)
            provenance.Set(group, new ConfigScalar(name, "defaults"));
        composed.Set("choices", provenance);
        return composed;
    }

    private bool IsGroupChoice(ConfigOverride o, Dictionary<string, string> choices) =>
        !o.Add && choices.ContainsKey(o.Path) && o.Value is ConfigScalar;

    private ConfigMapping LoadGroup(string group, string name)
    {
        var path = Path.Combine(ConfigRoot, group, name + ".yaml");
        if (!File.Exists(path))
        {
            throw new ConfigException($"unknown {group} config '{name}'{NearestName.Suggestion(name, GroupOptions(group))}; " +
                $"expected one of: {string.Join(", ", GroupOptions(group))}");
        }
        var body = ConfigYaml.ReadFile(path);
        if (body["defaults"] is not null)
            throw new ConfigException($"{path}: group files cannot have defaults: (only train.yaml and experiments can)");
        return body;
    }

    private Dictionary<string, string> TakeDefaults(ConfigMapping file, string path)
    {
        var result = new Dictionary<string, string>();
        var node = file["defaults"];
        file.Remove("defaults");
        if (node is null or ConfigScalar { IsNull: true })
            return result;
        if (node is not ConfigMapping defaults)
            throw new ConfigException($"{node.Origin}: 'defaults' must be a mapping of group: file name (e.g. model: cnn_tiny)");
        foreach (var (group, value) in defaults.Entries)
        {
            if (!Directory.Exists(Path.Combine(ConfigRoot, group)))
            {
                var groups = Directory.EnumerateDirectories(ConfigRoot).Select(Path.GetFileName).OfType<string>();
                throw new ConfigException($"{value.Origin}: unknown config group '{group}'{NearestName.Suggestion(group, groups)} in {path}");
            }
            if (value is not ConfigScalar { IsNull: false } scalar)
                throw new ConfigException($"{value.Origin}: defaults.{group} must name a file in {Path.Combine(ConfigRoot, group)}");
            result[group] = scalar.Text;
        }
        return result;
    }
}

/// <summary>One <c>key=value</c> from the command line; <c>+key=value</c> may add a key.</summary>
public sealed record ConfigOverride(string Path, ConfigNode Value, bool Add)
{
    public static ConfigOverride Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
            throw new ConfigException($"override '{text}': expected key=value (e.g. trainer.max_epochs=3)");
        var add = text[0] == '+';
        var path = text[(add ? 1 : 0)..eq].Trim();
        if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0))
            throw new ConfigException($"override '{text}': expected a dotted key such as model.optimizer.lr");
        var raw = text[(eq + 1)..].Trim();
        var origin = $"command line '{text}'";
        ConfigNode value = raw.StartsWith('[') && raw.EndsWith(']')
            ? ConfigYaml.Parse("v: " + raw, origin)["v"]!
            : new ConfigScalar(raw.Trim('"', '\''), origin, !(raw.Length >= 2 && raw[0] is '"' or '\''));
        return new ConfigOverride(path, value, add);
    }

    public void ApplyTo(ConfigMapping root)
    {
        var parts = Path.Split('.');
        var map = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            switch (map[parts[i]])
            {
                case ConfigMapping child:
                    map = child;
                    break;
                case null or ConfigScalar { IsNull: true } when Add:
                    var created = new ConfigMapping(Value.Origin);
                    map.Set(parts[i], created);
                    map = created;
                    break;
                case null:
                    throw Unknown(string.Join('.', parts[..(i + 1)]), map, string.Join('.', parts[..i]));
                default:
                    throw new ConfigException($"{Value.Origin}: '{string.Join('.', parts[..(i + 1)])}' is a value, not a group of keys");
            }
        }
        var last = parts[^1];
        if (map[last] is null && !Add)
            throw Unknown(Path, map, string.Join('.', parts[..^1]));
        if (map[last] is ConfigMapping { Entries.Count: > 0 } && Value is ConfigScalar { IsNull: false })
            throw new ConfigException($"{Value.Origin}: '{Path}' is a group of keys ({string.Join(", ", ((ConfigMapping)map[last]!).Keys)}); set one of them");
        map.Set(last, Value);
    }

    private ConfigException Unknown(string path, ConfigMapping parent, string parentPath)
    {
        var siblings = parent.Keys.Select(k => parentPath.Length == 0 ? k : parentPath + "." + k);
        return new ConfigException($"{Value.Origin}: unknown key '{path}'{NearestName.Suggestion(path, siblings)} (use +{path}=... to add a new key)");
    }
}
