using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Tests;

/// <summary>Compare became Report (issue 28): the old phase name still selects it for one release, saying so once.</summary>
public sealed class RenamedPhaseTests
{
    [Fact]
    public void The_old_name_Compare_selects_the_Report_phase_with_a_one_line_notice()
    {
        using var ws = new TestWorkspace();
        ws.Write("pipeline.yaml", TestWorkspace.PipelineYaml.Replace("Evaluate", "Report", StringComparison.Ordinal));
        var graph = PipelineDefinition.Load(ws.Root).Resolve(["alpha"]);
        var notices = new List<string>();

        var targets = new RunRequest { Phases = ["Compare"] }.SelectTargets(graph, notices.Add);

        Assert.Equal(["evaluate@alpha"], targets.Select(s => s.Name));
        Assert.Equal(
            ["phase 'Compare' is deprecated: it is now 'Report' (the old name works for this release only)"],
            notices
        );
        Assert.Equal(targets, new RunRequest { Phases = ["Report"] }.SelectTargets(graph, notices.Add));
        Assert.Single(notices);
    }

    [Fact]
    public void A_pipeline_that_still_defines_a_Compare_phase_keeps_it_and_an_unknown_phase_is_still_an_error()
    {
        using var ws = new TestWorkspace();
        ws.Write("pipeline.yaml", TestWorkspace.PipelineYaml.Replace("Evaluate", "Compare", StringComparison.Ordinal));
        var graph = PipelineDefinition.Load(ws.Root).Resolve(["alpha"]);
        var notices = new List<string>();
        Assert.Equal(
            ["evaluate@alpha"],
            new RunRequest { Phases = ["Compare"] }
                .SelectTargets(graph, notices.Add)
                .Select(s => s.Name)
        );
        Assert.Empty(notices);

        using var plain = new TestWorkspace();
        var original = PipelineDefinition.Load(plain.Root).Resolve(["alpha"]);
        var e = Assert.Throws<PipelineException>(() => new RunRequest { Phases = ["Compare"] }.SelectTargets(original));
        Assert.Contains("unknown phase 'Compare'", e.Message, StringComparison.Ordinal);
    }
}
