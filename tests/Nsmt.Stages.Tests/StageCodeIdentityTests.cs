using Nsmt.Pipeline.Definition;
using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Stages.Tests;

/// <summary>
/// A project stage's code identity is every assembly its build links, read from the .deps.json the SDK wrote, not a
/// list kept by hand: the Amp stage's identity holds both amp libraries (the engine, Nsmt.Amp, and the tools split
/// from it, Nsmt.Amp.Tools), so a change to either makes the stage stale. Read from a copy of the stage's real build
/// output (copied next to these tests), so the SDK's own deps.json is what is parsed.
/// </summary>
public sealed class StageCodeIdentityTests : IDisposable
{
    private const string OutDir = "stages/Amp/bin/Release/net10.0";
    private readonly string _root = Directory.CreateTempSubdirectory("nsmt-code-identity-").FullName;

    public StageCodeIdentityTests()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, OutDir)).FullName;
        foreach (
            var file in Directory
                .EnumerateFiles(AppContext.BaseDirectory)
                .Where(f =>
                    Path.GetFileName(f) is var n
                    && (
                        n.StartsWith("Amp.", StringComparison.Ordinal)
                        || n.StartsWith("Nsmt.", StringComparison.Ordinal)
                    )
                )
        )
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_Amp_stage_identity_holds_the_engine_and_the_tools_library()
    {
        var files = Identity().Files;
        Assert.Contains("Amp.dll", files.Keys);
        Assert.Contains("Nsmt.Amp.dll", files.Keys);
        Assert.Contains("Nsmt.Amp.Tools.dll", files.Keys);
        // Linked through Nsmt.Amp.Training, not referenced by the stage directly.
        Assert.Contains("Nsmt.Neural.dll", files.Keys);
    }

    [Fact]
    public void A_changed_tools_assembly_changes_the_identity_and_a_missing_one_is_not_built()
    {
        var before = Identity().Files["Nsmt.Amp.Tools.dll"];
        var tools = Path.Combine(_root, OutDir, "Nsmt.Amp.Tools.dll");
        File.AppendAllText(tools, "changed");
        Assert.NotEqual(before, Identity().Files["Nsmt.Amp.Tools.dll"]);

        File.Delete(tools);
        var error = Assert.Throws<ProgramNotBuiltException>(Identity);
        Assert.Contains("Nsmt.Amp.Tools.dll", error.Message, StringComparison.Ordinal);
    }

    private CodeIdentity Identity() =>
        new CodeIdentityReader(new WorkspaceHasher(_root, StatCache.InMemory())).Read(
            new Stage
            {
                Name = "amp",
                Definition = "amp",
                Phase = "Evaluate",
                Program = new ProjectProgram("stages/Amp", $"{OutDir}/Amp.dll"),
                Arguments = [],
                Deps = [],
                Params = [],
                Outs = [],
                Metrics = [],
                Origin = "test",
            }
        );
}
