using System.Globalization;
using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.Sweeps;

namespace Nsmt.Pipeline.Tests;

/// <summary>Sweeps on the tiny pipeline (trials as experiments) and the samplers on a known objective.</summary>
public sealed class SweepTests
{
    // The toy's train reads lr and width from its experiment file and scores 10 - (log10(lr) + 2)^2 - |width - 8| / 4:
    // best at lr = 0.01, width = 8.
    private const string Train = """
        set -e
        data=$1; run=$2; exp=$(basename "$run")
        lr=$(sed -n 's/^  lr: *//p' "configs/experiment/$exp.yaml")
        width=$(sed -n 's/^width: *//p' "configs/experiment/$exp.yaml")
        mkdir -p "$run/checkpoints"
        awk -v lr="$lr" -v w="$width" 'BEGIN { l = log(lr) / log(10) + 2; d = w - 8; if (d < 0) d = -d; printf "{\"score\": %.6f}\n", 10 - l * l - d / 4 }' > "$run/metrics.json"
        echo weights > "$run/checkpoints/best.ckpt"
        """;

    private static TestWorkspace Workspace()
    {
        var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "- configs/train.yaml: [lr, epochs, seed]",
                "- configs/experiment/${experiment}.yaml"
            )
        );
        ws.Write("stages/train.sh", Train);
        ws.Write("configs/experiment/alpha.yaml", "# the base\ndata: tiny\nopt:\n  lr: 0.1\nwidth: 4\n");
        Directory.CreateDirectory(ws.Path_("configs/data"));
        return ws;
    }

    private static SweepRequest Grid(params string[] sweeps) =>
        new()
        {
            BaseExperiment = "alpha",
            Dimensions = sweeps.Select(SweepDimension.Parse).ToList(),
            Metric = "score",
            Run = new RunRequest { Jobs = 2 },
        };

    [Fact]
    public void A_grid_runs_every_trial_as_an_experiment_ranks_them_and_a_rerun_runs_nothing()
    {
        using var ws = Workspace();
        var result = new SweepRunner(ws.Engine()).Run(Grid("opt.lr=0.001,0.01,0.1", "width=4,8"));
        Assert.Equal(6, result.Trials.Count);
        Assert.Equal(6, ws.Runner.Invoked.Count(s => s.StartsWith("train@alpha.trial-", StringComparison.Ordinal)));
        var best = result.Ranked[0];
        Assert.Equal("opt.lr=0.01 width=8", best.Trial.Describe());
        Assert.Equal(10.0, best.Score);
        Assert.Equal("{\"score\": 10.000000}\n", ws.Read($"runs/{best.Trial.Name}/metrics.json"));
        var table = ws.Read("artifacts/sweeps/alpha/trials.tsv").Split('\n');
        Assert.Equal("rank\ttrial\topt.lr\twidth\tscore", table[0]);
        Assert.Equal($"1\t{best.Trial.Name}\t0.01\t8\t10", table[1]);

        // The trial file is the base with the trial's values, and a rerun finds every stage up to date.
        Assert.Contains("opt:\n  lr: 0.01\nwidth: 8\n", ws.Read($"configs/experiment/{best.Trial.Name}.yaml"));
        var before = ws.Runner.Invoked.Count;
        new SweepRunner(ws.Engine()).Run(Grid("opt.lr=0.001,0.01,0.1", "width=4,8"));
        Assert.Equal(before, ws.Runner.Invoked.Count);
    }

    [Fact]
    public void A_metric_the_trials_do_not_write_fails_after_the_first_trial_naming_the_ones_they_do()
    {
        using var ws = Workspace();
        var e = Assert.Throws<PipelineException>(() =>
            new SweepRunner(ws.Engine()).Run(Grid("opt.lr=0.001,0.01,0.1") with { Metric = "nope" })
        );
        Assert.StartsWith("--sweep-metric nope: the first trial (alpha.trial-", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(") wrote no such metric; expected one of: score", e.Message, StringComparison.Ordinal);
        // Only the first trial trained; the others never started, and their files were never written (issue 23: lazily).
        Assert.Single(ws.Runner.Invoked, s => s.StartsWith("train@alpha.trial-", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(ws.Path_("configs/experiment"), "alpha.trial-*.yaml"));
    }

    [Fact]
    public void The_same_values_are_the_same_trial_whatever_their_order()
    {
        var a = new SweepTrial("quick", [new("model", "cnn_tiny"), new("model.optimizer.lr", "1e-3")]);
        var b = new SweepTrial("quick", [new("model.optimizer.lr", "1e-3"), new("model", "cnn_tiny")]);
        Assert.Equal(a.Name, b.Name);
        Assert.NotEqual(
            a.Name,
            new SweepTrial("quick", [new("model", "cnn_tiny"), new("model.optimizer.lr", "3e-3")]).Name
        );
        Assert.Matches("^quick\\.trial-[0-9a-f]{8}$", a.Name);
    }

    [Theory]
    [InlineData("lr", "expected KEY=a,b,c (values) or KEY=lo..hi")]
    [InlineData("lr=1,,2", "must list distinct, non-empty values")]
    [InlineData("lr=log:0..1", "is not a range lo..hi with lo < hi (log: needs lo > 0")]
    [InlineData("lr=3..1", "is not a range lo..hi with lo < hi")]
    public void A_bad_sweep_says_what_is_expected(string spec, string expected)
    {
        var e = Assert.Throws<PipelineException>(() => SweepDimension.Parse(spec));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_grid_refuses_a_range_and_a_group_swap_names_the_files_it_could_use()
    {
        using var ws = Workspace();
        var e = Assert.Throws<PipelineException>(() => new SweepRunner(ws.Engine()).Run(Grid("opt.lr=0.001..0.1")));
        Assert.Contains("a grid needs listed values", e.Message);

        // "data" is a config group here (configs/data/tiny.yaml): data=huge must name a file of it.
        var swap = Assert.Throws<PipelineException>(() =>
            TrialConfigWriter.Write(ws.Root, new SweepTrial("alpha", [new("data", "huge")]), "s")
        );
        Assert.Equal("--sweep data=huge: configs/data/huge.yaml does not exist (expected one of: tiny)", swap.Message);
        var written = TrialConfigWriter.Write(
            ws.Root,
            new SweepTrial("alpha", [new("data", "tiny"), new("opt.beta", "-0.5")]),
            "s"
        );
        Assert.EndsWith(
            "\ndefaults:\n  data: tiny\ndata: tiny\nopt:\n  lr: 0.1\n  beta: -0.5\nwidth: 4\n",
            ws.Read(written)
        );
    }

    [Theory]
    [InlineData("../../../escaped", "--sweep-name")]
    [InlineData("sub/dir", "--sweep-name")]
    [InlineData("..", "--sweep-name")]
    public void A_sweep_name_that_is_not_a_plain_name_is_refused_before_anything_is_written(string name, string option)
    {
        using var ws = Workspace();
        var e = Assert.Throws<PipelineException>(() =>
            new SweepRunner(ws.Engine()).Run(Grid("width=4,8") with { Name = name })
        );
        Assert.Contains($"{option} '{name}': expected a plain name", e.Message);
        Assert.False(Directory.Exists(ws.Path_("artifacts/sweeps")));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(ws.Path_("artifacts/sweeps"), name, "trials.tsv"))));
        Assert.Empty(Directory.GetFiles(ws.Path_("configs/experiment"), "*.trial-*"));
    }

    [Fact]
    public void A_grid_beyond_the_limit_is_refused_with_its_count_before_any_trial_is_written()
    {
        using var ws = Workspace();
        var thousand = string.Join(',', Enumerable.Range(1, 1000));
        var e = Assert.Throws<PipelineException>(() =>
            new SweepRunner(ws.Engine()).Run(Grid($"width={thousand}", $"opt.lr={thousand}"))
        );
        Assert.Contains("1,000,000 trials, more than the limit of 1,000", e.Message);
        Assert.Equal(
            1_000_000,
            GridSampler.Count([SweepDimension.Parse($"a={thousand}"), SweepDimension.Parse($"b={thousand}")])
        );
        Assert.Empty(Directory.GetFiles(ws.Path_("configs/experiment"), "*.trial-*"));
    }

    [Fact]
    public void An_interrupted_sweep_stops_writing_trials()
    {
        using var ws = Workspace();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new SweepRunner(ws.Engine()).Run(Grid("width=4,8", "opt.lr=0.1,0.2"), cancel.Token)
        );
        Assert.Empty(Directory.GetFiles(ws.Path_("configs/experiment"), "*.trial-*"));
        Assert.Empty(ws.Runner.Invoked);
    }

    [Fact]
    public void Random_trials_depend_only_on_the_seed_and_stay_in_their_ranges()
    {
        SweepDimension[] dims =
        [
            SweepDimension.Parse("lr=log:1e-5..1e-1"),
            SweepDimension.Parse("width=int:2..16"),
            SweepDimension.Parse("model=a,b"),
        ];
        var first = new RandomSampler("q", dims, 20, seed: 7).All();
        Assert.Equal(first.Select(t => t.Name), new RandomSampler("q", dims, 20, seed: 7).All().Select(t => t.Name));
        Assert.NotEqual(first.Select(t => t.Name), new RandomSampler("q", dims, 20, seed: 8).All().Select(t => t.Name));
        Assert.Equal(20, first.Count);
        foreach (var t in first)
        {
            var lr = double.Parse(t.Assignments[0].Value, CultureInfo.InvariantCulture);
            Assert.InRange(lr, 1e-5, 1e-1);
            Assert.InRange(int.Parse(t.Assignments[1].Value, CultureInfo.InvariantCulture), 2, 16);
        }

        // Log-uniform: about as many draws below 1e-3 as above (uniform would put 99 % above).
        Assert.InRange(
            first.Count(t => double.Parse(t.Assignments[0].Value, CultureInfo.InvariantCulture) < 1e-3),
            5,
            15
        );
    }

    [Fact]
    public void Tpe_concentrates_on_the_optimum_where_random_search_does_not_and_repeats_itself_for_a_seed()
    {
        SweepDimension[] dims = [SweepDimension.Parse("lr=log:1e-6..1"), SweepDimension.Parse("model=a,b,c,d")];
        static double Objective(SweepTrial t) =>
            -Math.Pow(Math.Log10(double.Parse(t.Assignments[0].Value, CultureInfo.InvariantCulture)) + 4, 2)
            + (t.Assignments[1].Value == "c" ? 1 : 0);

        List<TrialScore> Search(ISweepSampler sampler)
        {
            var history = new List<TrialScore>();
            while (sampler.Next(2, history) is { Count: > 0 } next)
            {
                history.AddRange(next.Select(t => new TrialScore(t, Objective(t))));
            }

            return history;
        }

        var tpe = Search(new TpeSampler("q", dims, 40, seed: 3));
        var random = Search(new RandomSampler("q", dims, 40, seed: 3));
        Assert.Equal(40, tpe.Count);
        Assert.Equal(
            tpe.Select(t => t.Trial.Name),
            Search(new TpeSampler("q", dims, 40, seed: 3)).Select(t => t.Trial.Name)
        );

        // The last 20 proposals: TPE's are near lr = 1e-4 with model c far more often than random draws.
        double Mean(List<TrialScore> h) => h.Skip(20).Average(t => t.Score!.Value);
        Assert.True(Mean(tpe) > Mean(random) + 2, $"TPE {Mean(tpe):F2} vs random {Mean(random):F2}");
        Assert.True(tpe.Skip(20).Count(t => t.Trial.Assignments[1].Value == "c") > 10);
    }
}
