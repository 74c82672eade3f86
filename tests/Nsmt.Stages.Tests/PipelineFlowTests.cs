using Nsmt.Amp.Training.Config;
using Nsmt.Pipeline.Definition;

namespace Nsmt.Stages.Tests;

/// <summary>
/// The repository's pipeline.yaml: A2 beside the main job trains on its capture, and knob experiments run in their own
/// flow (AmpTrain with the knob config; its run folder, which holds the knob evaluation, goes to the report).
/// </summary>
public sealed class PipelineFlowTests
{
    private static StageGraph Resolve(params string[] experiments) =>
        PipelineDefinition.Load(StageProgram.RepositoryRoot).Resolve(experiments);

    [Fact]
    public void A2_beside_the_main_job_trains_on_the_main_job_s_data_in_its_epochs()
    {
        var main = Resolve();
        Assert.Contains("train@first_amp", main.Stages.Select(s => s.Name));
        Assert.DoesNotContain(main.Stages, s =>
            s.Name is "train@first_a2" || s.Name.StartsWith("train@knobs", StringComparison.Ordinal)
        );
        var beside = Resolve("quality_tiny_15", "first_amp", "first_a2");
        Assert.Contains(beside["compare"].Deps, d => d.Path == "artifacts/amp/eval/first_a2");

        var a1 = AmpTrainConfig.Load(Path.Combine(StageProgram.RepositoryRoot, "configs/amp/first_amp.yaml"));
        var a2 = AmpTrainConfig.Load(Path.Combine(StageProgram.RepositoryRoot, "configs/amp/first_a2.yaml"));
        Assert.Equal(a1.Data, a2.Data);
        Assert.Equal(a1.Seed, a2.Seed);
        Assert.Equal(a1.Training.Epochs, a2.Training.Epochs);
        Assert.Equal(ModelType.WaveNet, a1.Model.Type);
        Assert.Equal(ModelType.A2, a2.Model.Type);
    }

    [Fact]
    public void A_knob_experiment_is_the_knob_flow_s_train_stage_and_its_folder_goes_to_the_report()
    {
        var graph = Resolve("first_amp", "knobs", "knobs_wavenet");
        var train = graph["train@knobs"];
        Assert.Equal("Train", train.Phase);
        Assert.Equal("knobs", train.Experiment);
        var argv = train.CommandLine();
        Assert.EndsWith("AmpTrain.dll", argv[1], StringComparison.Ordinal);
        Assert.Equal(["--config", "configs/amp/knobs.yaml", "--output", "artifacts/amp/knobs/knobs"], argv.Skip(2));
        Assert.Equal(["artifacts/amp/knobs/knobs"], train.Outs.Select(o => o.Path));
        Assert.Contains("configs/amp/knobs.yaml", train.Params.Select(p => p.File));
        Assert.Contains("configs/amp/knobs_wavenet.yaml", graph["train@knobs_wavenet"].Params.Select(p => p.File));
        // Not the amp flow's stages: a knob config has no single reamp or .nam to evaluate.
        Assert.DoesNotContain(graph.Stages, s => s.Name is "capture@knobs" or "evaluate@knobs");

        var compare = graph["compare"];
        var line = compare.CommandLine().ToList();
        var knobRuns = line.IndexOf("--knob-runs");
        Assert.True(knobRuns > 0, string.Join(' ', line));
        Assert.Equal(
            ["artifacts/amp/knobs/knobs", "artifacts/amp/knobs/knobs_wavenet"],
            line.Skip(knobRuns + 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal))
        );
        // Everything compare reads is some stage's output (a knob run has no diagram stage, so none is asked for).
        var written = graph.Stages.SelectMany(s => s.Outs).Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        Assert.All(compare.Deps, d => Assert.True(written.Contains(d.Path), $"no stage writes {d.Path}"));
        Assert.Contains(graph.IncomingEdges(compare), e => e.From == "train@knobs");
        Assert.Contains(graph.IncomingEdges(compare), e => e.From == "train@knobs_wavenet");
    }

    [Fact]
    public void The_knob_smoke_run_goes_through_the_flow_s_argv_into_the_report()
    {
        var graph = Resolve("knobs_micro");
        var temp = Path.Combine(Path.GetTempPath(), "nsmt-knobflow-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = Path.Combine(temp, "run");
            var train = graph["train@knobs_micro"].CommandLine(_ => run);
            var trained = StageProgram.Run("AmpTrain", [.. train.Skip(2)]);
            Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
            Assert.True(File.Exists(Path.Combine(run, "knob_esr.csv")), trained.Output);

            var report = Path.Combine(temp, "report");
            var compare = graph["compare"]
                .CommandLine(_ => report)
                .Select(a => a == "artifacts/amp/knobs/knobs_micro" ? run : a)
                .ToList();
            Assert.Contains(run, compare);
            var compared = StageProgram.Run("Report", [.. compare.Skip(2)]);
            Assert.True(compared.ExitCode == 0, compared.Output + compared.Error);
            var html = File.ReadAllText(Path.Combine(report, "index.html"));
            Assert.Contains("Knob model run", html, StringComparison.Ordinal);
            Assert.Contains("gain_db=6", html, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    [Fact]
    public void Without_knob_experiments_compare_gets_no_knob_folder()
    {
        var line = Resolve("first_amp")["compare"].CommandLine().ToList();
        var knobRuns = line.IndexOf("--knob-runs");
        Assert.Empty(line.Skip(knobRuns + 1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)));
    }
}
