using Nsmt.Pipeline.Definition;

namespace Nsmt.Pipeline.Tests;

public sealed class DefinitionTests
{
    private static StageGraph Resolve(TestWorkspace ws, params string[] experiments) =>
        PipelineDefinition.Load(ws.Root).Resolve(experiments);

    [Fact]
    public void Experiments_on_the_same_dataset_share_one_generate_stage_and_edges_follow_paths()
    {
        using var ws = new TestWorkspace();
        var graph = Resolve(ws, "alpha", "beta");
        Assert.Equal(
            ["generate@tiny", "train@alpha", "train@beta", "evaluate@alpha", "evaluate@beta"],
            graph.Stages.Select(s => s.Name)
        );
        Assert.Contains(new StageEdge("generate@tiny", "train@beta", "data/tiny"), graph.Edges);
        Assert.Contains(new StageEdge("train@alpha", "evaluate@alpha", "runs/alpha"), graph.Edges);
        Assert.Equal(["sh", "stages/train.sh", "data/tiny", "runs/beta"], graph["train@beta"].CommandLine());
    }

    [Fact]
    public void An_unknown_experiment_names_the_config_files_looked_for()
    {
        using var ws = new TestWorkspace();
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "gamma"));
        Assert.Contains("unknown experiment 'gamma'", e.Message);
        Assert.Contains("configs/experiment/gamma.yaml (flow toy)", e.Message);
    }

    [Fact]
    public void An_unknown_variable_is_an_error_with_the_line()
    {
        using var ws = new TestWorkspace();
        ws.Write("pipeline.yaml", TestWorkspace.PipelineYaml.Replace("runs/${experiment}\n", "runs/${experimnt}\n"));
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "alpha"));
        Assert.Contains("unknown variable ${experimnt}", e.Message);
        Assert.Contains("pipeline.yaml:16: stage train (experiment alpha), outs:", e.Message);
    }

    [Fact]
    public void Two_stages_writing_overlapping_paths_are_rejected()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "report: eval/${experiment}/report.txt",
                "report: runs/${experiment}/report.txt"
            )
        );
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "alpha"));
        Assert.Contains(
            "output runs/alpha/report.txt of evaluate@alpha overlaps output runs/alpha of train@alpha",
            e.Message
        );
    }

    [Fact]
    public void A_cycle_is_rejected()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "params: [\"configs/data/${exp.data}.yaml\"]",
                "params: [\"configs/data/${exp.data}.yaml\"]\n        deps: [\"eval/${experiment}\"]"
            )
        );
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "alpha"));
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void Each_items_expand_over_the_selected_experiments_and_lists_splice_into_arguments()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml
                + """

                stages:
                  compare:
                    phase: Evaluate
                    command: [sh, -c, "cat $@ > report.md", sh, "${deps.runs}"]
                    deps:
                      runs: [{each: toy, value: "eval/${experiment}/report.txt"}]
                    outs: [report.md]
                """
        );
        var compare = Resolve(ws, "beta", "alpha")["compare"];
        Assert.Equal(
            ["sh", "-c", "cat $@ > report.md", "sh", "eval/alpha/report.txt", "eval/beta/report.txt"],
            compare.CommandLine()
        );
    }

    [Fact]
    public void Unknown_fields_are_rejected_with_the_allowed_ones()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace("phase: Train", "phase: Train\n        output: x")
        );
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "alpha"));
        Assert.Contains("unknown field 'output' in stage train", e.Message);
    }

    [Fact]
    public void Resources_are_read_per_stage_and_stay_out_of_the_fingerprint()
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "        phase: Train\n",
                "        phase: Train\n        resources: {cpus: 2, memory: 4g, time: \"0-01:30:00\", gres: \"gpu:1\"}\n"
            )
        );
        var train = Resolve(ws, "alpha")["train@alpha"];
        Assert.Equal(new StageResources(2, "4G", "0-01:30:00", "gpu:1"), train.Resources);
        Assert.Equal(StageResources.None, Resolve(ws, "alpha")["generate@tiny"].Resources);

        var withResources = ws.Run();
        ws.Write("pipeline.yaml", TestWorkspace.PipelineYaml);
        Assert.All(ws.Run().Results, r => Assert.Equal(Execution.StageOutcome.Skipped, r.Outcome));
        Assert.All(withResources.Results, r => Assert.Equal(Execution.StageOutcome.Ran, r.Outcome));
    }

    [Theory]
    [InlineData("{memory: 4 GB}", "resources.memory: '4 GB' is not a size like 512M, 4G or 1T")]
    [InlineData("{cpus: 0}", "resources.cpus: '0' is not a positive whole number of CPUs")]
    [InlineData("{time: 1h}", "resources.time: '1h' is not a Slurm time limit")]
    [InlineData("{gpus: 1}", "resources: unknown field 'gpus' (expected cpus, memory, time, gres)")]
    public void A_bad_resource_names_file_line_stage_field_and_what_is_expected(string resources, string expected)
    {
        using var ws = new TestWorkspace();
        ws.Write(
            "pipeline.yaml",
            TestWorkspace.PipelineYaml.Replace(
                "        phase: Train\n",
                $"        phase: Train\n        resources: {resources}\n"
            )
        );
        var e = Assert.Throws<PipelineException>(() => Resolve(ws, "alpha"));
        Assert.Contains("pipeline.yaml:", e.Message);
        Assert.Contains("stage train (experiment alpha)", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
