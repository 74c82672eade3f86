using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

/// <summary>The lock file is parsed whole: its length is checked first, so a huge one is refused, not loaded.</summary>
public sealed class LockFileSizeTests
{
    [Fact]
    public void A_lock_file_of_2_GiB_is_refused_naming_the_file_and_the_limit_without_being_read()
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", "schema: 1\nstages: {}");
        var path = workspace.Path_("artifacts/pipeline.lock");
        Assert.Empty(LockFile.Load(path).Entries); // the same file at its real size loads

        using (var stream = File.OpenWrite(path))
        {
            stream.SetLength(1L << 31); // sparse: costs no disk
        }

        var (e, _) = Bounded.Throws<PipelineException>(() => LockFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(
            $"lock file is {1L << 31} bytes, expected at most {LockFile.MaxBytes} (LockFile.MaxBytes)",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.Equal(1L << 31, new FileInfo(path).Length); // left as it is
    }
}
