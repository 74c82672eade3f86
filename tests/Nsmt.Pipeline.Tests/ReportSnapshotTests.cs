using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Execution;
using Nsmt.Pipeline.Reporting;
using Nsmt.Pipeline.State;
using Nsmt.Tests.Snapshots;

namespace Nsmt.Pipeline.Tests;

/// <summary>The lock file, Status and Dag of the tiny pipeline, compared with committed snapshots.</summary>
public sealed class ReportSnapshotTests
{
    [Fact]
    public void Lock_file_of_a_tiny_run()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        var text = ws.Read("artifacts/pipeline.lock");
        Snapshot.Verify(text, new SnapshotSettings { Paths = [(ws.Root, "{workspace}")] }, extension: "yaml");

        // Reading it back gives the same text, and every fingerprint is the hash of its recorded parts.
        var reloaded = LockFile.Load(ws.Path_("artifacts/pipeline.lock"));
        Assert.Equal(text, reloaded.Render());
        Assert.All(reloaded.Entries, e => Assert.Equal(e.Fingerprint, e.Parts.ComputeFingerprint()));
    }

    [Fact]
    public void Status_explains_changed_parameter_dependency_code_and_output()
    {
        using var ws = new TestWorkspace();
        ws.Run(new RunRequest { Experiments = ["alpha", "beta"] });
        ws.Write("configs/data/tiny.yaml", "size: 6\nseed: 1\n"); // generate's parameter
        ws.Write("stages/evaluate.sh", TestWorkspace.EvaluateScript + "\n# v2"); // evaluate's code
        File.Delete(ws.Path_("eval/beta/report.txt")); // an output
        var report = ws.Engine().Status(new RunRequest { Experiments = ["alpha", "beta"], Overrides = ["lr=0.3"] });
        Snapshot.Verify(report.Render());
        Assert.False(report.AllUpToDate);
    }

    [Fact]
    public void Status_of_an_up_to_date_pipeline()
    {
        using var ws = new TestWorkspace();
        ws.Run();
        var report = ws.Engine().Status(new RunRequest());
        Assert.True(report.AllUpToDate);
        Snapshot.Verify(report.Render());
    }

    [Fact]
    public void Dag_as_text_and_mermaid()
    {
        using var ws = new TestWorkspace();
        var graph = PipelineDefinition.Load(ws.Root).Resolve(["alpha", "beta"]);
        Snapshot.Verify(DagRenderer.Text(graph) + "\n" + DagRenderer.Mermaid(graph));
    }
}
