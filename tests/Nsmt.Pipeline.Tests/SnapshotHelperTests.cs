using Nsmt.Tests.Snapshots;

namespace Nsmt.Pipeline.Tests;

public sealed class SnapshotHelperTests
{
    [Fact]
    public void Scrubbing_replaces_paths_timestamps_durations_guids_and_rounds_floats()
    {
        var text =
            "/tmp/work/x/run/a.txt at 2024-03-01T12:30:45.123Z took 1.25 s (312 ms, 00:01:02.5) id 0f8fad5b-d9cb-469f-a165-70867728950e "
            + "loss 0.123456 -0.00001 v10.0.12 1e-7 x3.14159";
        var settings = new SnapshotSettings
        {
            Paths = [("/tmp/work/x", "{ws}")],
            ScrubWellKnownPaths = false,
            FloatDecimals = 3,
        };
        Assert.Equal(
            "{ws}/run/a.txt at {timestamp} took {duration} ({duration}, {duration}) id {guid} loss 0.123 0.000 v10.0.12 1e-7 x3.14159",
            Scrubber.Apply(text, settings)
        );
    }

    [Fact]
    public void A_mismatch_writes_the_received_file_and_a_match_removes_it()
    {
        var received = Path.Combine(
            Path.GetDirectoryName(SourceLocator.Resolve(ThisFile()))!,
            "SnapshotHelperTests.Probe.received.txt"
        );
        var verified = received.Replace(".received.", ".verified.", StringComparison.Ordinal);
        Assert.True(File.Exists(verified));
        var error = Assert.Throws<SnapshotMismatchException>(() => Probe("something else"));
        Assert.Contains("line 1", error.Message);
        Assert.Equal("something else\n", File.ReadAllText(received));

        Probe(File.ReadAllText(verified));
        Assert.False(File.Exists(received));
    }

    private static void Probe(string text) =>
        Snapshot.Verify(text, new SnapshotSettings { Accept = false }, member: "Probe");

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
