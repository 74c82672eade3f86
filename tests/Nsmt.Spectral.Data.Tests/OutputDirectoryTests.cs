using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Spectral.Data.Tests;

/// <summary>The generator writes only into a directory it creates, an empty one, or one it made itself.</summary>
public class OutputDirectoryTests
{
    private static GeneratorConfig Tiny() => TestSupport.Config("simple_saw", "dataset.size=10");

    private static GenerationResult Generate(string directory) =>
        DatasetGenerator.Generate(Tiny(), new GenerationOptions { OutputDirectory = directory, WriteReports = false });

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory
            .EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => File.Exists(p) ? File.ReadAllBytes(p) : []);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string directory)
    {
        var after = Snapshot(directory);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (path, bytes) in before)
        {
            Assert.Equal(bytes, after[path]);
        }
    }

    [Fact]
    public void A_rerun_after_a_killed_generation_sweeps_the_temporaries_it_left()
    {
        using var dir = new TempDir();
        var target = dir.File("killed");
        Directory.CreateDirectory(target);
        // What a generation killed mid-write leaves: its in-progress marker and its splits' temporaries (writer gone).
        File.WriteAllText(Path.Combine(target, DatasetDirectory.InProgressMarker), "interrupted");
        string[] stale = [$".train.999999999.{Guid.NewGuid():N}.tmp", $".test.999999999.{Guid.NewGuid():N}.tmp"];
        foreach (var name in stale)
        {
            File.WriteAllBytes(Path.Combine(target, name), new byte[1000]);
        }

        Generate(target);

        Assert.Empty(Directory.EnumerateFiles(target, "*.tmp"));
        Assert.True(File.Exists(Path.Combine(target, "train")));
    }

    [Fact]
    public void An_existing_directory_with_other_files_is_refused_and_left_untouched()
    {
        using var dir = new TempDir();
        var target = dir.File("mine");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "train"), "precious data that is not a VIMH split");
        File.WriteAllText(Path.Combine(target, "notes.txt"), "more");
        var before = Snapshot(target);

        var e = Assert.Throws<VimhDataException>(() => Generate(target));
        Assert.Contains(target, e.Message);
        Assert.Contains("train", e.Message);
        Assert.Contains("not made by the dataset generator", e.Message);
        AssertUnchanged(before, target);
    }

    [Fact]
    public void A_dataset_from_another_tool_is_refused()
    {
        using var dir = new TempDir();
        var target = dir.File("python-made");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, VimhFormat.InfoFileName), "{\"dataset_name\": \"other\"}");
        File.WriteAllBytes(Path.Combine(target, VimhFormat.TrainFileName), [1, 2, 3]);
        var before = Snapshot(target);

        var e = Assert.Throws<VimhDataException>(() => Generate(target));
        Assert.Contains(VimhFormat.InfoFileName, e.Message);
        AssertUnchanged(before, target);
    }

    [Fact]
    public void A_file_in_place_of_the_directory_is_refused()
    {
        using var dir = new TempDir();
        var target = dir.File("a-file");
        File.WriteAllText(target, "keep me");

        var e = Assert.Throws<VimhDataException>(() => Generate(target));
        Assert.Contains(target, e.Message);
        Assert.Equal("keep me", File.ReadAllText(target));
    }

    [Fact]
    public void New_and_empty_directories_are_filled_and_left_without_the_marker()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty");
        Directory.CreateDirectory(empty);
        foreach (var target in new[] { dir.File("new/nested"), empty })
        {
            Generate(target);
            Assert.True(File.Exists(Path.Combine(target, VimhFormat.InfoFileName)));
            Assert.False(File.Exists(Path.Combine(target, DatasetDirectory.InProgressMarker)));
        }
    }

    [Fact]
    public void Its_own_dataset_and_an_interrupted_generation_are_refilled()
    {
        using var dir = new TempDir();
        var target = dir.File("ours");
        Generate(target);
        var first = Snapshot(target);
        Generate(target); // a finished dataset of ours: regenerated to the same bytes
        AssertUnchanged(first, target);

        // An interrupted run leaves the marker and partial files: the next run redoes it.
        File.Delete(Path.Combine(target, VimhFormat.InfoFileName));
        File.WriteAllText(Path.Combine(target, DatasetDirectory.InProgressMarker), "interrupted");
        File.WriteAllBytes(Path.Combine(target, VimhFormat.TrainFileName), [9, 9]);
        Generate(target);
        AssertUnchanged(first, target);
    }
}
