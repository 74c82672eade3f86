namespace Nsmt.Pipeline.Definition;

/// <summary>An edge: <see cref="To"/> reads <see cref="Path"/>, which <see cref="From"/> writes.</summary>
public sealed record StageEdge(string From, string To, string Path);

/// <summary>
/// The resolved pipeline: stages in a deterministic topological order, with edges inferred from paths the way DVC
/// does it (a stage that reads a path another stage writes, or a path inside it, runs after that stage).
/// </summary>
public sealed class StageGraph
{
    private readonly Dictionary<string, Stage> _byName;
    private readonly Dictionary<string, List<StageEdge>> _incoming;

    public StageGraph(IReadOnlyList<Stage> stages, IReadOnlyList<string> phases, IReadOnlyList<string> experiments)
    {
        Phases = phases;
        Experiments = experiments;
        _byName = new Dictionary<string, Stage>(StringComparer.Ordinal);
        foreach (var s in stages)
        {
            if (!_byName.TryAdd(s.Name, s))
            {
                throw new PipelineException($"{s.Origin}: two stages are named {s.Name}");
            }
        }

        CheckOutputs(stages);
        var edges = new List<StageEdge>();
        foreach (var consumer in stages)
        {
            foreach (var dep in consumer.Deps)
            {
                foreach (var producer in stages)
                {
                    foreach (var o in producer.Outs)
                    {
                        if (!WorkspacePath.Overlaps(dep.Path, o.Path))
                        {
                            continue;
                        }

                        if (producer == consumer)
                        {
                            throw new PipelineException(
                                $"{consumer.Origin}: stage {consumer.Name} reads {dep.Path}, which overlaps its own output {o.Path}"
                            );
                        }

                        if (!edges.Any(e => e.From == producer.Name && e.To == consumer.Name && e.Path == dep.Path))
                        {
                            edges.Add(new StageEdge(producer.Name, consumer.Name, dep.Path));
                        }
                    }
                }
            }
        }

        Edges = edges;
        _incoming = stages.ToDictionary(s => s.Name, _ => new List<StageEdge>(), StringComparer.Ordinal);
        foreach (var e in edges)
        {
            _incoming[e.To].Add(e);
        }

        Stages = TopologicalOrder(stages, phases);
    }

    /// <summary>Stages in run order: dependencies first, then phase order, then declaration order.</summary>
    public IReadOnlyList<Stage> Stages { get; }

    public IReadOnlyList<StageEdge> Edges { get; }

    public IReadOnlyList<string> Phases { get; }

    /// <summary>The experiments this graph was resolved for.</summary>
    public IReadOnlyList<string> Experiments { get; }

    public Stage this[string name] =>
        _byName.TryGetValue(name, out var s)
            ? s
            : throw new PipelineException(
                $"no stage named {name} (stages: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))})"
            );

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The stages whose outputs <paramref name="stage"/> reads.</summary>
    public IReadOnlyList<Stage> Upstream(Stage stage) =>
        _incoming[stage.Name].Select(e => e.From).Distinct().Select(n => _byName[n]).ToList();

    public IReadOnlyList<StageEdge> IncomingEdges(Stage stage) => _incoming[stage.Name];

    /// <summary>The stages and everything they depend on, in run order.</summary>
    public IReadOnlyList<Stage> WithUpstream(IEnumerable<Stage> targets)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<Stage>(targets);
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            if (needed.Add(s.Name))
            {
                foreach (var u in Upstream(s))
                {
                    stack.Push(u);
                }
            }
        }

        return Stages.Where(s => needed.Contains(s.Name)).ToList();
    }

    private static void CheckOutputs(IReadOnlyList<Stage> stages)
    {
        var all = stages.SelectMany(s => s.Outs.Select(o => (Stage: s, o.Path))).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                if (WorkspacePath.Overlaps(all[i].Path, all[j].Path))
                {
                    throw new PipelineException(
                        $"{all[j].Stage.Origin}: output {all[j].Path} of {all[j].Stage.Name} overlaps output {all[i].Path} of {all[i].Stage.Name}; "
                            + "every path must be written by one stage only"
                    );
                }
            }
        }

        foreach (var s in stages)
        {
            foreach (var m in s.Metrics)
            {
                if (!s.Outs.Any(o => WorkspacePath.IsWithin(m, o.Path)))
                {
                    throw new PipelineException(
                        $"{s.Origin}: metrics file {m} of {s.Name} is not inside one of its outputs"
                    );
                }
            }
        }
    }

    private List<Stage> TopologicalOrder(IReadOnlyList<Stage> stages, IReadOnlyList<string> phases)
    {
        int PhaseRank(Stage s)
        {
            var i = -1;
            for (var k = 0; k < phases.Count; k++)
            {
                if (string.Equals(phases[k], s.Phase, StringComparison.OrdinalIgnoreCase))
                {
                    i = k;
                }
            }

            return i < 0 ? int.MaxValue : i;
        }

        var declared = stages.Select((s, i) => (s, i)).ToDictionary(p => p.s.Name, p => p.i, StringComparer.Ordinal);
        var remaining = new HashSet<string>(stages.Select(s => s.Name), StringComparer.Ordinal);
        var order = new List<Stage>();
        while (remaining.Count > 0)
        {
            var ready = stages
                .Where(s => remaining.Contains(s.Name) && Upstream(s).All(u => !remaining.Contains(u.Name)))
                .OrderBy(PhaseRank)
                .ThenBy(s => declared[s.Name])
                .FirstOrDefault();
            if (ready is null)
            {
                var cycle = string.Join(", ", remaining.Order(StringComparer.Ordinal));
                throw new PipelineException(
                    $"the stages {cycle} depend on each other in a cycle (each reads what another writes)"
                );
            }

            order.Add(ready);
            remaining.Remove(ready.Name);
        }

        return order;
    }
}
