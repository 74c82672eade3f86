using Nsmt.Spectral.Models;
using Nsmt.Tests.Snapshots;
using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests.Snapshots;

/// <summary>
/// The summary text and DOT graph of every spectral architecture at small settings (1x32x32 input, the simple_saw
/// heads). Shapes, counts and layout do not depend on the weights, so no seed is needed. A change shows up as a
/// .received file next to the .verified one; its parameter totals are checked independently in
/// <see cref="ModelTraceTests"/> (against the parameter count) and <see cref="TorchinfoGoldenTests"/> (against PyTorch).
/// </summary>
public class ArchitectureSnapshotTests
{
    // Nothing in these texts varies between runs or machines; the default scrubbers could only cause false matches.
    private static readonly SnapshotSettings Exact = new()
    {
        ScrubWellKnownPaths = false,
        ScrubTimestamps = false,
        ScrubDurations = false,
        ScrubGuids = false,
    };

    public static TheoryData<string> Architectures => [.. TestModels.Names];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Summary(string architecture) =>
        Snapshot.Verify(ModelSummary.Render(Trace(architecture)), Exact, "txt", architecture);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Graph(string architecture) =>
        Snapshot.Verify(ModelGraph.ToDot(Trace(architecture)), Exact, "dot", architecture);

    [Fact]
    public void Regression_summary() =>
        Snapshot.Verify(ModelSummary.Render(Trace("VisionTransformer", HeadKind.Regression)), Exact, "txt");

    private static ModelTrace Trace(string architecture, HeadKind kind = HeadKind.Classification)
    {
        using var model = TestModels.Build(architecture, kind);
        using var x = rand(1, 1, 32, 32);
        return ModelTrace.Capture(model, x);
    }
}
