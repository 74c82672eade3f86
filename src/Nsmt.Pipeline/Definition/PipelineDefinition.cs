using System.Text.RegularExpressions;
using Nsmt.Config;
using Nsmt.Pipeline.Fingerprints;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.Definition;

/// <summary>
/// An experiment the pipeline runs: its flow (which stages it gets), its variables (<c>${exp.KEY}</c>: the keys of its
/// config file and of its declaration) and the keys of the flow's extra var files (<c>${NAME.KEY}</c>).
/// </summary>
public sealed record Experiment(
    string Name,
    string Flow,
    string? ConfigPath,
    IReadOnlyDictionary<string, string> Vars,
    IReadOnlyDictionary<string, string> FileVars
);

/// <summary>
/// pipeline.yaml: stage declarations grouped in flows, each instantiated per experiment (DVC's foreach), plus
/// global stages. See the file's header comment and the README for the format.
/// </summary>
public sealed partial class PipelineDefinition
{
    private static readonly string[] StageFields =
    [
        "phase",
        "desc",
        "key",
        "program",
        "command",
        "code",
        "args",
        "deps",
        "params",
        "report_params",
        "outs",
        "metrics",
        "seed",
        "resources",
    ];

    private readonly Dictionary<string, string> _vars;
    private readonly Dictionary<string, (string? Flow, Dictionary<string, string> Vars)> _declared;
    private readonly List<(
        string Name,
        string? Config,
        List<(string Name, string File)> VarFiles,
        List<(string Name, YamlMappingNode Node)> Stages
    )> _flows = [];
    private readonly List<(string Name, YamlMappingNode Node)> _globalStages = [];

    private PipelineDefinition(string root, string file)
    {
        Root = root;
        File = file;
        _vars = new Dictionary<string, string>(StringComparer.Ordinal);
        _declared = new Dictionary<string, (string?, Dictionary<string, string>)>(StringComparer.Ordinal);
    }

    public string Root { get; }

    /// <summary>The definition file, relative to <see cref="Root"/>.</summary>
    public string File { get; }

    public IReadOnlyList<string> Phases { get; private set; } = [];

    public IReadOnlyList<string> DefaultExperiments { get; private set; } = [];

    public string Configuration { get; private set; } = "Release";

    public string Framework { get; private set; } = "net10.0";

    public IReadOnlyList<string> FlowNames => _flows.Select(f => f.Name).ToList();

    public static PipelineDefinition Load(string root, string file = "pipeline.yaml")
    {
        var full = WorkspacePath.ToFull(root, file);
        if (!System.IO.File.Exists(full))
        {
            throw new PipelineException($"{file} not found in {root}");
        }

        YamlNode? document;
        try
        {
            // The config library's safe read: bounded size, no alias bombs, no object-constructing tags.
            document = ConfigYaml.ReadDocument(ConfigYaml.ReadText(full), file);
        }
        catch (ConfigException e)
        {
            throw new PipelineException(e.Message, e);
        }

        if (document is not YamlMappingNode top)
        {
            throw new PipelineException($"{file}: expected a mapping with flows:, stages:, default: ...");
        }

        var def = new PipelineDefinition(root, file);
        def.Parse(top);
        return def;
    }

    /// <summary>Resolves the stages for <paramref name="experiments"/> (the file's <c>default:</c> list when null or empty).</summary>
    public StageGraph Resolve(IReadOnlyList<string>? experiments = null)
    {
        var names = (experiments is { Count: > 0 } ? experiments : DefaultExperiments)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var resolved = names.Select(ResolveExperiment).ToList();
        var stages = new List<Stage>();
        foreach (var flow in _flows)
        {
            foreach (var (stageName, node) in flow.Stages)
            {
                foreach (var exp in resolved.Where(e => e.Flow == flow.Name))
                {
                    Add(stages, RenderStage(stageName, node, exp, resolved));
                }
            }
        }

        foreach (var (stageName, node) in _globalStages)
        {
            if (resolved.Count > 0)
            {
                Add(stages, RenderStage(stageName, node, null, resolved));
            }
        }

        return new StageGraph(stages, Phases, names);
    }

    public Experiment ResolveExperiment(string name)
    {
        if (!ExperimentName().IsMatch(name))
        {
            throw new PipelineException($"experiment name '{name}' may contain only letters, digits, '_', '-' and '.'");
        }

        _declared.TryGetValue(name, out var declared);
        var candidates = new List<(string Flow, string? Config)>();
        foreach (var flow in _flows)
        {
            if (declared.Flow is not null && declared.Flow != flow.Name)
            {
                continue;
            }

            var config = flow.Config is null
                ? null
                : Template.RenderText(
                    flow.Config,
                    n => n == "experiment" ? new TemplateValue.Text(name) : null,
                    $"{File}: flows.{flow.Name}.config"
                );
            var exists = config is not null && System.IO.File.Exists(WorkspacePath.ToFull(Root, config));
            if (declared.Flow is not null || exists)
            {
                candidates.Add((flow.Name, exists ? config : null));
            }
        }

        if (declared.Flow is not null && candidates.Count == 0)
        {
            throw new PipelineException(
                $"{File}: experiment {name} names flow '{declared.Flow}', which is not declared under flows:"
            );
        }

        if (candidates.Count == 0)
        {
            var looked = string.Join(
                ", ",
                _flows
                    .Where(f => f.Config is not null)
                    .Select(f => $"{f.Config!.Replace("${experiment}", name)} (flow {f.Name})")
            );
            throw new PipelineException(
                $"unknown experiment '{name}': found none of {looked}, and it is not declared under experiments: in {File}"
            );
        }

        if (candidates.Count > 1)
        {
            throw new PipelineException(
                $"experiment '{name}' is ambiguous: it matches flows {string.Join(" and ", candidates.Select(c => c.Flow))}; declare its flow under experiments: in {File}"
            );
        }

        var (flowName, configPath) = candidates[0];
        var files = new ParamFiles(Root);
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (configPath is not null)
        {
            foreach (var (k, v) in files.Read(configPath))
            {
                vars[k] = AsText(v);
            }
        }

        foreach (var (k, v) in declared.Vars ?? [])
        {
            vars[k] = v;
        }

        // Extra var files (e.g. the dataset config an experiment names), read in order so later ones can use earlier ones.
        var fileVars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (varName, template) in _flows.First(f => f.Name == flowName).VarFiles)
        {
            var where = $"{File}: flows.{flowName}.vars.{varName} (experiment {name})";
            TemplateValue? Lookup(string n) =>
                n == "experiment" ? new TemplateValue.Text(name)
                : n.StartsWith("exp.", StringComparison.Ordinal) && vars.TryGetValue(n[4..], out var v)
                    ? new TemplateValue.Text(v)
                : n.StartsWith("vars.", StringComparison.Ordinal) && _vars.TryGetValue(n[5..], out var g)
                    ? new TemplateValue.Text(g)
                : fileVars.TryGetValue(n, out var f) ? new TemplateValue.Text(f)
                : null;
            var path = WorkspacePath.Normalize(Template.RenderText(template, Lookup, where), where);
            if (!System.IO.File.Exists(WorkspacePath.ToFull(Root, path)))
            {
                throw new PipelineException($"{where}: {path} does not exist");
            }

            foreach (var (k, v) in files.Read(path))
            {
                fileVars[$"{varName}.{k}"] = AsText(v);
            }
        }

        return new Experiment(name, flowName, configPath, vars, fileVars);
    }

    private static string AsText(ParamValue v) => v.StringValue ?? v.ToYamlFlow();

    private static void Add(List<Stage> stages, Stage stage)
    {
        var existing = stages.FirstOrDefault(s => s.Name == stage.Name);
        if (existing is null)
        {
            stages.Add(stage);
            return;
        }

        // Experiments that share a stage (two experiments on one dataset) share its instance when it is identical.
        var same =
            existing.CommandLine().SequenceEqual(stage.CommandLine())
            && existing.Deps.Select(d => d.Path).SequenceEqual(stage.Deps.Select(d => d.Path))
            && existing.Outs.Select(d => d.Path).SequenceEqual(stage.Outs.Select(d => d.Path))
            && existing.Params.Select(p => p.File).SequenceEqual(stage.Params.Select(p => p.File));
        if (!same)
        {
            throw new PipelineException(
                $"{stage.Origin}: stage {stage.Name} is declared twice with different commands or paths (experiments {existing.Experiment} and {stage.Experiment}); give it a key that tells them apart"
            );
        }
    }

    private void Parse(YamlMappingNode top)
    {
        foreach (var (keyNode, value) in top.Children)
        {
            var key = ParamValue.KeyText(keyNode, File);
            switch (key)
            {
                case "phases":
                    Phases = Strings(value, "phases");
                    break;
                case "default":
                    DefaultExperiments = Strings(value, "default");
                    break;
                case "build":
                    foreach (var (k, v) in Map(value, "build"))
                    {
                        switch (k)
                        {
                            case "configuration":
                                Configuration = Scalar(v, "build.configuration");
                                break;
                            case "framework":
                                Framework = Scalar(v, "build.framework");
                                break;
                            default:
                                throw Error(v, $"unknown field build.{k} (expected configuration, framework)");
                        }
                    }

                    break;
                case "vars":
                    foreach (var (k, v) in Map(value, "vars"))
                    {
                        _vars[k] = Scalar(v, $"vars.{k}");
                    }

                    break;
                case "experiments":
                    foreach (var (name, v) in Map(value, "experiments"))
                    {
                        string? flow = null;
                        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
                        foreach (var (k, fv) in Map(v, $"experiments.{name}"))
                        {
                            if (k == "flow")
                            {
                                flow = Scalar(fv, $"experiments.{name}.flow");
                            }
                            else
                            {
                                vars[k] = Scalar(fv, $"experiments.{name}.{k}");
                            }
                        }

                        _declared[name] = (flow, vars);
                    }

                    break;
                case "flows":
                    foreach (var (name, v) in Map(value, "flows"))
                    {
                        string? config = null;
                        var varFiles = new List<(string, string)>();
                        var stages = new List<(string, YamlMappingNode)>();
                        foreach (var (k, fv) in Map(v, $"flows.{name}"))
                        {
                            switch (k)
                            {
                                case "config":
                                    config = Scalar(fv, $"flows.{name}.config");
                                    break;
                                case "vars":
                                    foreach (var (varName, fileNode) in Map(fv, $"flows.{name}.vars"))
                                    {
                                        if (varName is "exp" or "vars" or "deps" or "outs" or "experiment" or "key")
                                        {
                                            throw Error(
                                                fileNode,
                                                $"flows.{name}.vars.{varName}: '{varName}' is a reserved name"
                                            );
                                        }

                                        varFiles.Add((varName, Scalar(fileNode, $"flows.{name}.vars.{varName}")));
                                    }

                                    break;
                                case "stages":
                                    stages.AddRange(StageNodes(fv, $"flows.{name}.stages"));
                                    break;
                                default:
                                    throw Error(fv, $"unknown field flows.{name}.{k} (expected config, vars, stages)");
                            }
                        }

                        _flows.Add((name, config, varFiles, stages));
                    }

                    break;
                case "stages":
                    _globalStages.AddRange(StageNodes(value, "stages"));
                    break;
                default:
                    throw Error(
                        keyNode,
                        $"unknown top-level field '{key}' (expected phases, default, build, vars, experiments, flows, stages)"
                    );
            }
        }

        foreach (var (name, decl) in _declared)
        {
            if (decl.Flow is not null && _flows.All(f => f.Name != decl.Flow))
            {
                throw new PipelineException(
                    $"{File}: experiment {name} names flow '{decl.Flow}', which is not declared under flows:"
                );
            }
        }
    }

    private IEnumerable<(string, YamlMappingNode)> StageNodes(YamlNode node, string where)
    {
        foreach (var (name, v) in Map(node, where))
        {
            if (!StageDefinitionName().IsMatch(name))
            {
                throw Error(v, $"stage name '{name}' may contain only letters, digits, '_' and '-'");
            }

            if (v is not YamlMappingNode m)
            {
                throw Error(v, $"{where}.{name} must be a mapping (phase:, program:, args:, ...)");
            }

            foreach (var (k, _) in m.Children)
            {
                var field = ParamValue.KeyText(k, File);
                if (!StageFields.Contains(field))
                {
                    throw Error(
                        k,
                        $"unknown field '{field}' in stage {name} (expected {string.Join(", ", StageFields)})"
                    );
                }
            }

            yield return (name, m);
        }
    }

    private Stage RenderStage(
        string definition,
        YamlMappingNode node,
        Experiment? experiment,
        IReadOnlyList<Experiment> all
    ) => new StageRenderer(this, definition, node, experiment, all).Render();

    private string AssemblyPathOf(string projectDir)
    {
        var full = WorkspacePath.ToFull(Root, projectDir);
        var name =
            Directory.Exists(full) && Directory.GetFiles(full, "*.csproj") is [var single]
                ? Path.GetFileNameWithoutExtension(single)
                : projectDir[(projectDir.LastIndexOf('/') + 1)..];
        return $"{projectDir}/bin/{Configuration}/{Framework}/{name}.dll";
    }

    private IEnumerable<(string Key, YamlNode Value)> Map(YamlNode node, string where) =>
        node is YamlMappingNode m
            ? m.Children.Select(kv => (ParamValue.KeyText(kv.Key, File), kv.Value))
            : throw Error(node, $"{where} must be a mapping");

    private string Scalar(YamlNode node, string where) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Error(node, $"{where} must be a single value");

    private List<string> Strings(YamlNode node, string where) =>
        node switch
        {
            YamlSequenceNode seq => seq.Children.Select(c => Scalar(c, where)).ToList(),
            YamlScalarNode s => [Scalar(s, where)],
            _ => throw Error(node, $"{where} must be a list"),
        };

    private PipelineException Error(YamlNode node, string message) =>
        new(message.StartsWith(File, StringComparison.Ordinal) ? message : $"{File}:{node.Start.Line}: {message}");

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex ExperimentName();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex StageDefinitionName();
}
