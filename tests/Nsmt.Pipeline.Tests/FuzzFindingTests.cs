using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

/// <summary>Inputs AFL++ found (bench/fuzz, minimised) that escaped the YAML readers with undocumented exceptions.</summary>
public sealed class FuzzFindingTests
{
    public static TheoryData<string> BrokenYaml =>
        new()
        {
            ": [\nd", // YamlDotNet 16: InvalidOperationException from its scanner
            "\0: )", // YamlDotNet 16: ArgumentException ("current event is of an unsupported type")
        };

    [Theory]
    [MemberData(nameof(BrokenYaml))]
    public void A_lock_file_that_breaks_the_parser_is_an_unreadable_lock_file(string text)
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", text);
        var e = Assert.Throws<PipelineException>(() => LockFile.Load(workspace.Path_("artifacts/pipeline.lock")));
        Assert.Contains("unreadable lock file", e.Message, StringComparison.Ordinal);
        Assert.Equal(text + "\n", workspace.Read("artifacts/pipeline.lock")); // reading never rewrites it (Write adds the newline)
    }

    [Theory]
    [InlineData("schema: 1\nstages:\n  a: 3")] // a stage that is not a mapping
    [InlineData("schema: 1\nstages:\n  a:\n    fingerprint: [x]")] // a value that is a list
    [InlineData("schema: 1\nstages:\n  a:\n    fingerprint: f\n    cmd: x")] // cmd not a list
    [InlineData("schema: 99999999999\nstages: {}")] // overflows an int
    [InlineData("- 1\n- 2")] // not a mapping at all
    public void A_lock_file_of_the_wrong_shape_is_an_unreadable_lock_file(string text)
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", text);
        var e = Assert.Throws<PipelineException>(() => LockFile.Load(workspace.Path_("artifacts/pipeline.lock")));
        Assert.Contains("unreadable lock file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenYaml))]
    public void Params_and_pipeline_files_that_break_the_parser_are_pipeline_errors_naming_the_file(string text)
    {
        using var workspace = new TestWorkspace();
        workspace.Write("params.yaml", text);
        workspace.Write("broken.yaml", text);
        var paramsError = Assert.Throws<PipelineException>(() => new ParamFiles(workspace.Root).Read("params.yaml"));
        Assert.Contains("params.yaml: invalid YAML", paramsError.Message, StringComparison.Ordinal);
        var definitionError = Assert.Throws<PipelineException>(() =>
            PipelineDefinition.Load(workspace.Root, "broken.yaml")
        );
        Assert.Contains("broken.yaml", definitionError.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", definitionError.Message, StringComparison.Ordinal);
    }
}
