using System.Reflection;
using Nsmt.Config;
using Nsmt.Pipeline;
using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;
using Nsmt.Pipeline.Reporting;
using Nsmt.Pipeline.State;

namespace Nsmt.Stages.Tests;

/// <summary>
/// The pipeline's params are what the stages really read. Over every experiment of pipeline.yaml's flows, in a copy
/// of the repository's configs/: for each file a stage reads, a changed value it reads makes that stage and its
/// downstream stale, a changed value it does not read (shadowed by a later file, or a part of the config it does not
/// use) and a changed comment make nothing stale. What a stage reads is asked of its program directly (whatever
/// pipeline.yaml says), so a stage fingerprinted by a hand-written list instead fails here both ways: a file the list
/// misses (configs/logger/default.yaml for Train, before) and a key it holds that the stage does not read.
/// Stage programs run in-process (their entry points) from the copy, which is why the collection runs alone.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReportedParamsTests : IDisposable
{
    private readonly string _root = Path.Combine(
        Path.GetTempPath(),
        "nsmt-reported-params",
        Guid.NewGuid().ToString("N")
    );
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    public ReportedParamsTests()
    {
        CopyDirectory(Path.Combine(StageProgram.RepositoryRoot, "configs"), Path.Combine(_root, "configs"));
        File.Copy(Path.Combine(StageProgram.RepositoryRoot, "pipeline.yaml"), Path.Combine(_root, "pipeline.yaml"));
        Directory.SetCurrentDirectory(_root);
    }

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_logger_setting_makes_Train_stale_and_Status_names_it()
    {
        var graph = Graph(["quality_tiny_15", "first_amp"]);
        var before = Params(graph);
        Edit("configs/logger/default.yaml", "tensorboard: true", "tensorboard: false");
        var after = Params(graph);

        Assert.Equal(["train@quality_tiny_15", "evaluate@quality_tiny_15", "compare"], Stale(graph, before, after));
        var reasons = FingerprintDiff.Explain(
            Entry("train@quality_tiny_15", before),
            Parts(after["train@quality_tiny_15"])
        );
        Assert.Equal(["param changed: configs/logger/default.yaml: tensorboard true -> false"], reasons);
    }

    [Fact]
    public void A_group_file_an_experiment_picks_is_what_its_stages_read()
    {
        File.WriteAllText("configs/trainer/fast.yaml", File.ReadAllText("configs/trainer/default.yaml"));
        Edit("configs/experiment/quick.yaml", "defaults:\n", "defaults:\n  trainer: fast\n");
        var graph = Graph(["quick"]);
        var before = Params(graph);
        Edit("configs/trainer/default.yaml", "threads: 0", "threads: 1");
        Assert.Empty(Stale(graph, before, Params(graph)));
        Edit("configs/trainer/fast.yaml", "threads: 0", "threads: 1");
        Assert.Equal(["train@quick", "evaluate@quick", "compare"], Stale(graph, before, Params(graph)));
    }

    [Fact]
    public void Every_read_value_and_only_a_read_value_makes_its_readers_stale()
    {
        var experiments = FlowExperiments();
        var graph = Graph(experiments);
        var source = new InProcessReads();
        var baseline = Params(graph, source);
        var truth = graph
            .Stages.Where(s => s.Program is ProjectProgram)
            .ToDictionary(s => s.Name, s => Truth(s, source), StringComparer.Ordinal);
        var files = truth
            .Values.SelectMany(t => t.Keys)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("configs/logger/default.yaml", files);
        Assert.Contains("configs/amp/recipe.yaml", files);

        var checkedFiles = 0;
        foreach (var file in files)
        {
            var readers = graph.Stages.Where(s => truth.TryGetValue(s.Name, out var t) && t.ContainsKey(file)).ToList();
            var leaves = ConfigYaml.ReadFile(file).Leaves().ToList();

            // A comment: nothing is stale.
            var text = File.ReadAllText(file);
            File.WriteAllText(file, text + "\n# a comment no stage reads\n");
            Assert.Empty(Stale(graph, baseline, Params(graph, source, readers)));
            File.WriteAllText(file, text);

            // Per reader, a value it reads, and one it does not read (if the file has one): exactly the stages that
            // read the key, and their downstream, are stale. Readers that share a key already changed are covered.
            var changedKeys = new HashSet<string>(StringComparer.Ordinal);
            var readChanges = 0;
            foreach (var stage in readers)
            {
                var read = truth[stage.Name][file];
                foreach (var wantRead in new[] { true, false })
                {
                    var candidates = leaves.Where(l => read.Contains(l.Path) == wantRead).ToList();
                    if (candidates.Any(c => changedKeys.Contains(c.Path)))
                    {
                        readChanges += wantRead ? 1 : 0; // that change was checked against every stage that reads the key
                        continue;
                    }

                    if (!TryMutate(file, candidates, graph, source, readers, out var key, out var after))
                    {
                        continue; // e.g. only a choice such as data.source: reference, which has no other valid value here
                    }

                    readChanges += wantRead ? 1 : 0;

                    changedKeys.Add(key);
                    var keyReaders = graph
                        .Stages.Where(s =>
                            truth.TryGetValue(s.Name, out var t)
                            && t.TryGetValue(file, out var keys)
                            && keys.Contains(key)
                        )
                        .ToList();
                    var expected = WithDownstream(graph, keyReaders).Select(s => s.Name).ToList();
                    Assert.True(
                        expected.SequenceEqual(Stale(graph, baseline, after)),
                        $"{file}: changing {key} ({(wantRead ? "read" : "not read")} by {stage.Name}) made [{string.Join(", ", Stale(graph, baseline, after))}] stale; expected [{string.Join(", ", expected)}]"
                    );
                    File.WriteAllText(file, text);
                }
            }

            // configs/amp/a2.yaml holds only choices whose alternatives are other architectures (model.type, preset,
            // nam_version); its numbers come from the files it composes, which are checked on their own.
            Assert.True(
                readChanges > 0
                    || readers.All(r => truth[r.Name][file].Count == 0)
                    || file.EndsWith("configs/amp/a2.yaml", StringComparison.Ordinal),
                $"{file}: no value its readers read could be changed to another valid value"
            );
            checkedFiles++;
        }

        Assert.True(checkedFiles >= 50, $"checked {checkedFiles} config files");
    }

    /// <summary>Every experiment of the flows: configs/experiment/*.yaml (spectral) and configs/amp/*.yaml on the reference amp (amp).</summary>
    private static List<string> FlowExperiments()
    {
        var spectral = Directory.GetFiles("configs/experiment", "*.yaml");
        var amp = Directory
            .GetFiles("configs/amp", "*.yaml")
            .Where(f =>
                !File.ReadAllText(f).Contains("source: files", StringComparison.Ordinal)
                && !File.ReadAllText(f).Contains("\nknobs:", StringComparison.Ordinal)
            ); // knob runs have their own trainer, outside the amp flow
        return
        [
            .. spectral
                .Concat(amp)
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>What the stage's program says it reads, file -> keys (asked directly, whatever pipeline.yaml declares).</summary>
    private static Dictionary<string, HashSet<string>> Truth(Stage stage, InProcessReads source)
    {
        var reads = source.Describe(
            stage,
            (ProjectProgram)stage.Program,
            [.. stage.Arguments.Select(a => a.Render(i => stage.Outs[i].Path))]
        );
        return reads.Files.ToDictionary(
            f => Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(f.Key)).Replace('\\', '/'),
            f => f.Value.Keys.ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal
        );
    }

    /// <summary>Changes the first candidate that can take another valid value; the file is left changed.</summary>
    private bool TryMutate(
        string file,
        List<(string Path, ConfigNode Node)> candidates,
        StageGraph graph,
        InProcessReads source,
        IReadOnlyList<Stage> readers,
        out string key,
        out Dictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> after
    )
    {
        var text = File.ReadAllText(file);
        foreach (var (path, node) in candidates)
        {
            foreach (var changed in OtherValues(text, node))
            {
                File.WriteAllText(file, changed);
                try
                {
                    after = Params(graph, source, readers);
                    key = path;
                    return true;
                }
                catch (PipelineException)
                {
                    // Not a valid value for this key (a binder's range or choice): try another.
                }
            }
        }

        File.WriteAllText(file, text);
        key = "";
        after = [];
        return false;
    }

    /// <summary>The file's text with a plain scalar's value replaced by others of its kind.</summary>
    private static IEnumerable<string> OtherValues(string text, ConfigNode node)
    {
        if (node is not ConfigScalar { Plain: true, IsNull: false } scalar)
        {
            yield break;
        }

        var parts = scalar.Origin.Split(':');
        var line = int.Parse(parts[^2], System.Globalization.CultureInfo.InvariantCulture) - 1;
        var column = int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture) - 1;
        var lines = text.Split('\n');
        if (
            line >= lines.Length
            || column > lines[line].Length
            || !lines[line][column..].StartsWith(scalar.Text, StringComparison.Ordinal)
        )
        {
            yield break;
        }

        var v = ParamValue.FromScalar(scalar.Text, plain: true);
        string[] others = v.Kind switch
        {
            ParamKind.Bool => [v.ToString() == "true" ? "false" : "true"],
            ParamKind.Integer =>
            [
                (long.Parse(scalar.Text, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(
                    System.Globalization.CultureInfo.InvariantCulture
                ),
                (long.Parse(scalar.Text, System.Globalization.CultureInfo.InvariantCulture) * 2).ToString(
                    System.Globalization.CultureInfo.InvariantCulture
                ),
            ],
            ParamKind.Float =>
            [
                (double.Parse(scalar.Text, System.Globalization.CultureInfo.InvariantCulture) * 0.5 + 0.25).ToString(
                    "R",
                    System.Globalization.CultureInfo.InvariantCulture
                ),
            ],
            ParamKind.String => [scalar.Text + "x"],
            _ => [],
        };
        foreach (var other in others)
        {
            var copy = (string[])lines.Clone();
            copy[line] = copy[line][..column] + other + copy[line][(column + scalar.Text.Length)..];
            yield return string.Join('\n', copy);
        }
    }

    private static StageGraph Graph(IReadOnlyList<string> experiments) =>
        PipelineDefinition.Load(Directory.GetCurrentDirectory()).Resolve(experiments);

    private Dictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> Params(
        StageGraph graph
    ) => Params(graph, new InProcessReads());

    /// <summary>Every stage's params as the pipeline computes them (only <paramref name="only"/>'s are recomputed: the others read nothing that changed).</summary>
    private Dictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> Params(
        StageGraph graph,
        InProcessReads source,
        IReadOnlyList<Stage>? only = null
    )
    {
        var calculator = new FingerprintCalculator(
            new WorkspaceHasher(Directory.GetCurrentDirectory(), StatCache.InMemory()),
            graph,
            [],
            source
        );
        source.Forget();
        return (only ?? graph.Stages).ToDictionary(s => s.Name, calculator.Params, StringComparer.Ordinal);
    }

    /// <summary>The stages whose params changed, with their downstream, in run order.</summary>
    private static List<string> Stale(
        StageGraph graph,
        IReadOnlyDictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> before,
        IReadOnlyDictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> after
    )
    {
        var changed = graph.Stages.Where(s =>
            after.TryGetValue(s.Name, out var now) && Json(now) != Json(before[s.Name])
        );
        return [.. WithDownstream(graph, changed).Select(s => s.Name)];
    }

    /// <summary>The stages and everything that depends on them, in run order (what a change should make stale).</summary>
    private static IReadOnlyList<Stage> WithDownstream(StageGraph graph, IEnumerable<Stage> sources)
    {
        var reached = new HashSet<string>(sources.Select(s => s.Name), StringComparer.Ordinal);
        foreach (var s in graph.Stages)
        {
            if (graph.Upstream(s).Any(u => reached.Contains(u.Name)))
            {
                reached.Add(s.Name);
            }
        }

        return [.. graph.Stages.Where(s => reached.Contains(s.Name))];
    }

    private static string Json(SortedDictionary<string, SortedDictionary<string, ParamValue>> parameters) =>
        Parts(parameters).ToCanonicalJson();

    private static FingerprintParts Parts(SortedDictionary<string, SortedDictionary<string, ParamValue>> parameters) =>
        new(
            [],
            CodeIdentity.Empty,
            new(StringComparer.Ordinal),
            parameters,
            ParamValue.Null,
            new(StringComparer.Ordinal),
            []
        );

    private static LockEntry Entry(
        string stage,
        Dictionary<string, SortedDictionary<string, SortedDictionary<string, ParamValue>>> parameters
    )
    {
        var parts = Parts(parameters[stage]);
        return new LockEntry(stage, parts.ComputeFingerprint(), parts, []);
    }

    private static void Edit(string file, string from, string to)
    {
        var text = File.ReadAllText(file);
        Assert.Contains(from, text);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    /// <summary>
    /// The describe protocol run in this process: the stage program's entry point (the same code the pipeline runs as a
    /// process) with the request set for this call only. Reports are kept per argv until the configs change.
    /// </summary>
    private sealed class InProcessReads : IConfigReadsSource
    {
        private readonly Dictionary<string, ConfigReads> _known = new(StringComparer.Ordinal);

        public void Forget() => _known.Clear();

        public ConfigReads Describe(Stage stage, ProjectProgram program, IReadOnlyList<string> arguments)
        {
            var key = string.Join('\0', [program.AssemblyPath, .. arguments]);
            if (_known.TryGetValue(key, out var known))
            {
                return known;
            }

            var entry = Assembly.Load(Path.GetFileNameWithoutExtension(program.AssemblyPath)).EntryPoint!;
            var report = Path.Combine(Path.GetTempPath(), $"nsmt-reads-{Guid.NewGuid():N}.json");
            var error = new StringWriter();
            var console = Console.Error;
            try
            {
                Console.SetError(error);
                int exit;
                using (ConfigReads.RequestInProcess(report))
                {
                    exit = (int)entry.Invoke(null, [arguments.ToArray()])!;
                }

                if (exit != 0)
                {
                    throw new PipelineException($"stage {stage.Name}: its config cannot be read: {error}");
                }

                return _known[key] = ConfigReads.FromJson(File.ReadAllText(report), stage.Name);
            }
            finally
            {
                Console.SetError(console);
                File.Delete(report);
            }
        }
    }
}
