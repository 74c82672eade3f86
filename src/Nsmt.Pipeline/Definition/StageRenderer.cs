using Nsmt.Pipeline.Fingerprints;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.Definition;

public sealed partial class PipelineDefinition
{
    /// <summary>
    /// Renders one stage declaration for one experiment (or none, for a global stage) into a <see cref="Stage"/>, one
    /// field at a time in the order the fields depend on each other: the key names the stage, outputs and
    /// dependencies are what <c>${outs.NAME}</c> and <c>${deps.NAME}</c> in the arguments refer to.
    /// </summary>
    private sealed class StageRenderer
    {
        private readonly PipelineDefinition _pipeline;
        private readonly string _definition;
        private readonly YamlMappingNode _node;
        private readonly Experiment? _experiment;
        private readonly IReadOnlyList<Experiment> _all;
        private readonly string _origin;
        private readonly Dictionary<string, YamlNode> _fields;
        private readonly string? _key;
        private List<(string? Name, List<string> Paths)> _depsNamed = [];
        private Dictionary<string, int> _outIndex = new(StringComparer.Ordinal);

        public StageRenderer(
            PipelineDefinition pipeline,
            string definition,
            YamlMappingNode node,
            Experiment? experiment,
            IReadOnlyList<Experiment> all
        )
        {
            _pipeline = pipeline;
            _definition = definition;
            _node = node;
            _experiment = experiment;
            _all = all;
            _origin = $"{pipeline.File}:{node.Start.Line}";
            _fields = node.Children.ToDictionary(
                kv => ParamValue.KeyText(kv.Key, pipeline.File),
                kv => kv.Value,
                StringComparer.Ordinal
            );
            _key = Field("key") is { } keyNode
                ? Template.RenderText(pipeline.Scalar(keyNode, "key"), n => BaseLookup(n, experiment), Where("key"))
                : experiment?.Name;
        }

        public Stage Render()
        {
            var outs = Outputs();
            _depsNamed = NamedPaths("deps");
            var deps = _depsNamed.SelectMany(d => d.Paths.Select(p => new StagePath(d.Name, p))).ToList();
            var arguments = new List<StageArgument>();
            var program = Program(arguments);
            AddArguments(arguments, "args");
            var phase = Phase();
            var parameters = Params();
            var metrics = Field("metrics") is { } metricsNode
                ? _pipeline.Strings(metricsNode, "metrics").Select(m => RenderPath(m, "metrics")).ToList()
                : [];
            return new Stage
            {
                Resources = Resources(),
                Name = _key is null ? _definition : $"{_definition}@{_key}",
                Definition = _definition,
                Phase = phase,
                Experiment = _experiment?.Name,
                Description = Field("desc") is { } descNode ? _pipeline.Scalar(descNode, "desc") : null,
                Program = program,
                Arguments = arguments,
                Deps = deps,
                Params = parameters,
                ReportsParams = ReportsParams(program),
                Outs = outs,
                Metrics = metrics,
                SeedKey = Field("seed") is { } seedNode ? _pipeline.Scalar(seedNode, "seed") : "seed",
                Origin = _origin,
            };
        }

        private YamlNode? Field(string name) => _fields.TryGetValue(name, out var v) ? v : null;

        private string Where(string field) =>
            $"{_origin}: stage {_definition}{(_experiment is null ? string.Empty : $" (experiment {_experiment.Name})")}, {field}";

        /// <summary><c>${experiment}</c>, <c>${exp.KEY}</c>, <c>${vars.KEY}</c> and the flow's var files.</summary>
        private TemplateValue? BaseLookup(string name, Experiment? exp)
        {
            if (name == "experiment")
            {
                return exp is null ? null : new TemplateValue.Text(exp.Name);
            }

            if (name.StartsWith("exp.", StringComparison.Ordinal))
            {
                return exp is not null && exp.Vars.TryGetValue(name[4..], out var v) ? new TemplateValue.Text(v) : null;
            }

            if (name.StartsWith("vars.", StringComparison.Ordinal))
            {
                return _pipeline._vars.TryGetValue(name[5..], out var g) ? new TemplateValue.Text(g) : null;
            }

            return exp is not null && exp.FileVars.TryGetValue(name, out var fileVar)
                ? new TemplateValue.Text(fileVar)
                : null;
        }

        private TemplateValue? WithKey(string n, Experiment? exp) =>
            n == "key" && _key is not null ? new TemplateValue.Text(_key) : BaseLookup(n, exp);

        /// <summary>What arguments may also refer to: <c>${deps.NAME}</c> and <c>${outs.NAME}</c>.</summary>
        private TemplateValue? Full(string n, Experiment? exp)
        {
            if (n.StartsWith("deps.", StringComparison.Ordinal))
            {
                var d = _depsNamed.FirstOrDefault(x => x.Name == n[5..]);
                return d.Paths is null ? null : new TemplateValue.Paths(d.Paths);
            }

            if (n.StartsWith("outs.", StringComparison.Ordinal))
            {
                return _outIndex.TryGetValue(n[5..], out var i) ? new TemplateValue.Output(i) : null;
            }

            return WithKey(n, exp);
        }

        /// <summary>A templated workspace path of <paramref name="field"/>, rendered for this stage's experiment.</summary>
        private string RenderPath(string template, string field) =>
            WorkspacePath.Normalize(
                Template.RenderText(template, n => WithKey(n, _experiment), Where(field)),
                Where(field)
            );

        /// <summary>Each-items expand over the selected experiments (of one flow, or all): used by stages that combine runs.</summary>
        private IEnumerable<string> Expand(YamlNode item, string field)
        {
            if (item is not YamlMappingNode m)
            {
                yield return Template.RenderText(
                    _pipeline.Scalar(item, field),
                    n => WithKey(n, _experiment),
                    Where(field)
                );
                yield break;
            }

            var f = m.Children.ToDictionary(
                kv => ParamValue.KeyText(kv.Key, _pipeline.File),
                kv => kv.Value,
                StringComparer.Ordinal
            );
            if (f.Count != 2 || !f.TryGetValue("each", out var eachNode) || !f.TryGetValue("value", out var valueNode))
            {
                throw _pipeline.Error(
                    item,
                    $"{Where(field)}: a mapping item must be {{each: FLOW|all, value: TEMPLATE}}"
                );
            }

            var flow = _pipeline.Scalar(eachNode, "each");
            if (flow != "all" && _pipeline._flows.All(fl => fl.Name != flow))
            {
                throw _pipeline.Error(
                    eachNode,
                    $"{Where(field)}: each: '{flow}' is not a flow (flows: {string.Join(", ", _pipeline._flows.Select(fl => fl.Name))}, or all)"
                );
            }

            var template = _pipeline.Scalar(valueNode, "value");
            foreach (
                var e in _all.Where(e => flow == "all" || e.Flow == flow).OrderBy(e => e.Name, StringComparer.Ordinal)
            )
            {
                yield return Template.RenderText(template, n => WithKey(n, e), Where(field));
            }
        }

        /// <summary><c>deps:</c> or <c>outs:</c>: a list of paths, or a mapping NAME: path (or NAME: [paths]).</summary>
        private List<(string? Name, List<string> Paths)> NamedPaths(string field)
        {
            var result = new List<(string?, List<string>)>();
            switch (Field(field))
            {
                case null:
                    break;
                case YamlSequenceNode seq:
                    foreach (var item in seq.Children)
                    {
                        result.Add(
                            (null, Expand(item, field).Select(p => WorkspacePath.Normalize(p, Where(field))).ToList())
                        );
                    }

                    break;
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        var n = ParamValue.KeyText(k, _pipeline.File);
                        var paths = v is YamlSequenceNode s
                            ? s.Children.SelectMany(c => Expand(c, field))
                            : Expand(v, field);
                        result.Add((n, paths.Select(p => WorkspacePath.Normalize(p, Where(field))).ToList()));
                    }

                    break;
                default:
                    throw _pipeline.Error(
                        Field(field)!,
                        $"{Where(field)}: expected a list of paths or a mapping NAME: path"
                    );
            }

            return result;
        }

        /// <summary>The outputs, one path each; named ones are indexed for <c>${outs.NAME}</c>.</summary>
        private List<StagePath> Outputs()
        {
            var outs = new List<StagePath>();
            _outIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (n, paths) in NamedPaths("outs"))
            {
                if (paths.Count != 1)
                {
                    throw new PipelineException($"{Where("outs")}: each output is one path");
                }

                if (n is not null)
                {
                    _outIndex[n] = outs.Count;
                }

                outs.Add(new StagePath(n, paths[0]));
            }

            return outs;
        }

        private void AddArguments(List<StageArgument> arguments, string field)
        {
            if (Field(field) is null)
            {
                return;
            }

            if (Field(field) is not YamlSequenceNode seq)
            {
                throw _pipeline.Error(Field(field)!, $"{Where(field)}: expected a list");
            }

            foreach (var item in seq.Children)
            {
                if (item is YamlMappingNode)
                {
                    arguments.AddRange(Expand(item, field).Select(StageArgument.Of));
                }
                else
                {
                    arguments.AddRange(
                        Template.RenderArgument(_pipeline.Scalar(item, field), n => Full(n, _experiment), Where(field))
                    );
                }
            }
        }

        /// <summary><c>program:</c> (a stage project) or <c>command:</c> (an argv list, whose words start the arguments).</summary>
        private StageProgram Program(List<StageArgument> arguments)
        {
            if (Field("program") is { } programNode)
            {
                if (Field("command") is not null)
                {
                    throw _pipeline.Error(
                        programNode,
                        $"{Where("program")}: give either program: (a stage project) or command:, not both"
                    );
                }

                var dir = RenderPath(_pipeline.Scalar(programNode, "program"), "program");
                return new ProjectProgram(dir, _pipeline.AssemblyPathOf(dir));
            }

            if (Field("command") is not null)
            {
                AddArguments(arguments, "command");
                var code = Field("code") is null
                    ? []
                    : _pipeline.Strings(Field("code")!, "code").Select(c => RenderPath(c, "code")).ToList();
                return new CommandProgram(code);
            }

            throw _pipeline.Error(
                _node,
                $"{Where("program")}: a stage needs program: (a stage project directory) or command: (an argv list)"
            );
        }

        /// <summary>The phase, spelled as the pipeline's <c>phases:</c> list spells it.</summary>
        private string Phase()
        {
            var phase = Field("phase") is { } phaseNode
                ? _pipeline.Scalar(phaseNode, "phase")
                : throw _pipeline.Error(_node, $"{Where("phase")}: missing phase:");
            var phases = _pipeline.Phases;
            if (phases.Count > 0 && !phases.Contains(phase, StringComparer.OrdinalIgnoreCase))
            {
                throw _pipeline.Error(
                    Field("phase")!,
                    $"{Where("phase")}: '{phase}' is not one of the phases ({string.Join(", ", phases)})"
                );
            }

            return phases.FirstOrDefault(p => string.Equals(p, phase, StringComparison.OrdinalIgnoreCase)) ?? phase;
        }

        /// <summary><c>report_params: true</c>: only a stage project can report what it reads.</summary>
        private bool ReportsParams(StageProgram program)
        {
            if (Field("report_params") is not { } node)
            {
                return false;
            }

            var reports = _pipeline.Scalar(node, "report_params") switch
            {
                "true" => true,
                "false" => false,
                var other => throw _pipeline.Error(
                    node,
                    $"{Where("report_params")}: expected true or false, got '{other}'"
                ),
            };
            if (reports && program is not ProjectProgram)
            {
                throw _pipeline.Error(
                    node,
                    $"{Where("report_params")}: only a program: (a stage project) can report the config it reads; list a command's params: instead"
                );
            }

            return reports;
        }

        /// <summary><c>params:</c> items: FILE, FILE: [keys], or {file:, keys:, under:}.</summary>
        private List<ParamSource> Params()
        {
            var parameters = new List<ParamSource>();
            if (Field("params") is not { } paramsNode)
            {
                return parameters;
            }

            if (paramsNode is not YamlSequenceNode paramList)
            {
                throw _pipeline.Error(paramsNode, $"{Where("params")}: expected a list of files, or FILE: [keys]");
            }

            foreach (var item in paramList.Children)
            {
                if (item is YamlMappingNode full && full.Children.ContainsKey(new YamlScalarNode("file")))
                {
                    parameters.Add(FullParamSource(full));
                }
                else if (item is YamlMappingNode m && m.Children.Count == 1)
                {
                    var (fileNode, keysNode) = m.Children.First();
                    parameters.Add(
                        new ParamSource(
                            RenderPath(ParamValue.KeyText(fileNode, _pipeline.File), "params"),
                            _pipeline.Strings(keysNode, "params keys")
                        )
                    );
                }
                else
                {
                    parameters.Add(new ParamSource(RenderPath(_pipeline.Scalar(item, "params"), "params"), []));
                }
            }

            return parameters;
        }

        private ParamSource FullParamSource(YamlMappingNode full)
        {
            string? fileText = null,
                under = null;
            List<string> keys = [];
            foreach (var (k, v) in full.Children)
            {
                switch (ParamValue.KeyText(k, _pipeline.File))
                {
                    case "file":
                        fileText = _pipeline.Scalar(v, "params file");
                        break;
                    case "keys":
                        keys = _pipeline.Strings(v, "params keys");
                        break;
                    case "under":
                        under = _pipeline.Scalar(v, "params under");
                        break;
                    default:
                        throw _pipeline.Error(k, $"{Where("params")}: a params mapping has file:, keys: and under:");
                }
            }

            return new ParamSource(RenderPath(fileText!, "params"), keys, under);
        }

        private StageResources Resources()
        {
            var resources = StageResources.None;
            if (Field("resources") is { } resourcesNode)
            {
                foreach (var (k, v) in _pipeline.Map(resourcesNode, Where("resources")))
                {
                    // Where() starts with pipeline.yaml:LINE, so the message names the file, stage, field and expected value.
                    resources = StageResources.With(
                        resources,
                        k,
                        _pipeline.Scalar(v, $"{Where("resources")}.{k}"),
                        Where("resources")
                    );
                }
            }

            return resources;
        }
    }
}
