using Nsmt.Core;

namespace Nsmt.Config;

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
            ?
            [
                .. Directory
                    .EnumerateFiles(dir, "*.yaml")
                    .Select(Path.GetFileNameWithoutExtension)
                    .OfType<string>()
                    .Order(StringComparer.Ordinal),
            ]
            : [];
    }

    public ConfigMapping Compose(string? experiment, IEnumerable<string> overrides)
    {
        var primaryPath = Path.Combine(ConfigRoot, PrimaryFile);
        if (!File.Exists(primaryPath))
        {
            throw new ConfigException(
                $"{primaryPath}: the primary config is missing (expected configs/{PrimaryFile} with a defaults: mapping)"
            );
        }

        var primary = ConfigYaml.ReadFile(primaryPath);
        var choices = TakeDefaults(primary, primaryPath);

        ConfigMapping? experimentBody = null;
        if (experiment is not null)
        {
            var path = Path.Combine(ConfigRoot, "experiment", experiment + ".yaml");
            if (!File.Exists(path))
            {
                throw new ConfigException(
                    $"unknown experiment '{experiment}'{NearestName.Suggestion(experiment, Experiments())}; "
                        + $"experiments are the files in {Path.Combine(ConfigRoot, "experiment")}"
                );
            }
            experimentBody = ConfigYaml.ReadFile(path);
            foreach (var (group, name) in TakeDefaults(experimentBody, path))
            {
                choices[group] = name;
            }
        }

        var parsed = overrides.Select(ConfigOverride.Parse).ToList();
        foreach (var o in parsed.Where(o => IsGroupChoice(o, choices)))
        {
            choices[o.Path] = (ConfigScalar)o.Value;
        }

        var composed = new ConfigMapping(primaryPath);
        foreach (var (group, name) in choices)
        {
            composed.Set(group, LoadGroup(group, name.Text));
        }

        composed.Merge(primary);
        if (experimentBody is not null)
        {
            composed.Merge(experimentBody);
        }
        // Runs of an experiment are logged under its name unless the experiment names its task itself.
        if (experiment is not null && experimentBody!["task_name"] is null)
        {
            composed.Set("task_name", new ConfigScalar(experiment, $"experiment name ({experiment})"));
        }

        foreach (var o in parsed.Where(o => !IsGroupChoice(o, choices)))
        {
            o.ApplyTo(composed);
        }

        ConfigInterpolation.Resolve(composed);

        var provenance = new ConfigMapping("composition");
        provenance.Set("experiment", new ConfigScalar(experiment ?? "null", "command line"));
        // Each choice keeps the origin of the defaults entry (or override) that made it: that is where the stage read it.
        foreach (var (group, name) in choices)
        {
            provenance.Set(group, name.Clone());
        }

        composed.Set("choices", provenance);
        return composed;
    }

    private static bool IsGroupChoice(ConfigOverride o, Dictionary<string, ConfigScalar> choices) =>
        o.Kind == OverrideKind.Set && choices.ContainsKey(o.Path) && o.Value is ConfigScalar;

    private ConfigMapping LoadGroup(string group, string name)
    {
        var path = Path.Combine(ConfigRoot, group, name + ".yaml");
        if (!File.Exists(path))
        {
            throw new ConfigException(
                $"unknown {group} config '{name}'{NearestName.Suggestion(name, GroupOptions(group))}; "
                    + $"expected one of: {string.Join(", ", GroupOptions(group))}"
            );
        }
        var body = ConfigYaml.ReadFile(path);
        if (body["defaults"] is not null)
        {
            throw new ConfigException(
                $"{path}: group files cannot have defaults: (only train.yaml and experiments can)"
            );
        }

        return body;
    }

    private Dictionary<string, ConfigScalar> TakeDefaults(ConfigMapping file, string path)
    {
        var result = new Dictionary<string, ConfigScalar>();
        var node = file["defaults"];
        file.Remove("defaults");
        if (node is null or ConfigScalar { IsNull: true })
        {
            return result;
        }

        if (node is not ConfigMapping defaults)
        {
            throw new ConfigException(
                $"{node.Origin}: 'defaults' must be a mapping of group: file name (e.g. model: cnn_tiny)"
            );
        }

        foreach (var (group, value) in defaults.Entries)
        {
            if (!Directory.Exists(Path.Combine(ConfigRoot, group)))
            {
                var groups = Directory.EnumerateDirectories(ConfigRoot).Select(Path.GetFileName).OfType<string>();
                throw new ConfigException(
                    $"{value.Origin}: unknown config group '{group}'{NearestName.Suggestion(group, groups)} in {path}"
                );
            }
            if (value is not ConfigScalar { IsNull: false } scalar)
            {
                throw new ConfigException(
                    $"{value.Origin}: defaults.{group} must name a file in {Path.Combine(ConfigRoot, group)}"
                );
            }

            result[group] = scalar;
        }
        return result;
    }
}
