using Nsmt.Config;
using Nsmt.Runs;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Training.Config;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>
/// Train never writes a dataset over files it did not make: data.dir from a config stays inside the workspace,
/// and generation only fills a new, empty or generator-made directory. The Train stage exits 2 on both errors.
/// </summary>
public class DataDirectoryTests
{
    /// <summary>A workspace of its own (configs copied) inside a temporary folder that also has room outside it.</summary>
    private static (TempDir Root, string Workspace) NewWorkspace()
    {
        var root = new TempDir();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Configs, "*.yaml", SearchOption.AllDirectories))
        {
            root.File(Path.Combine("ws", Path.GetRelativePath(RepoPaths.Root, file)), File.ReadAllText(file));
        }

        return (root, Path.Combine(root.Path, "ws"));
    }

    private static TrainRequest Request(string workspace, params string[] overrides) =>
        new()
        {
            ConfigRoot = Path.Combine(workspace, "configs"),
            Experiment = "quick",
            Overrides = ["data.size=10", .. overrides],
        };

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(p => p, File.ReadAllBytes);

    [Fact]
    public void Existing_data_dir_without_a_dataset_is_refused_and_its_files_kept()
    {
        var (root, workspace) = NewWorkspace();
        using var _ = root;
        var mine = Path.Combine(workspace, "mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "train"), "other data, not a VIMH split");
        File.WriteAllText(Path.Combine(mine, "test"), "more of it");
        var before = Snapshot(root.Path);

        var e = Assert.Throws<VimhDataException>(() =>
            TrainingRunner.Run(Request(workspace, "data.dir=mine"), ProgressReporter.Silent)
        );
        Assert.Contains(mine, e.Message);
        Assert.Contains("train", e.Message);
        var after = Snapshot(root.Path);
        Assert.Equal(before.Keys.Order(), after.Keys.Order()); // no run folder, no data files, no marker
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        Assert.False(Directory.Exists(Path.Combine(workspace, "logs")));
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("../../escaped")]
    [InlineData("data/../../escaped")]
    public void Relative_data_dir_escaping_the_workspace_is_refused(string value)
    {
        var (root, workspace) = NewWorkspace();
        using var _ = root;
        var before = Snapshot(root.Path);

        var e = Assert.Throws<ConfigException>(() =>
            TrainingRunner.Run(Request(workspace, $"data.dir={value}"), ProgressReporter.Silent)
        );
        Assert.Contains("data.dir", e.Message);
        Assert.Contains($"'{value}'", e.Message);
        Assert.Contains("must stay inside the workspace", e.Message);
        Assert.Equal(before.Keys.Order(), Snapshot(root.Path).Keys.Order());
        Assert.False(Directory.Exists(Path.GetFullPath(Path.Combine(workspace, value))));
    }

    [Fact]
    public void Relative_data_dir_inside_the_workspace_is_generated_and_an_explicit_absolute_one_is_read()
    {
        var (root, workspace) = NewWorkspace();
        using var _ = root;
        var generator = Path.Combine(workspace, "configs", "synth", "simple_saw.yaml");
        var data = new DataSettings(generator, 10, "data/../data/tiny", 4);

        var generated = DatasetProvider.Ensure(data, workspace, null, ProgressReporter.Silent);
        Assert.Equal(Path.Combine(workspace, "data", "tiny"), generated.Directory);

        // --data may point anywhere, for reading an existing dataset.
        var elsewhere = Path.Combine(root.Path, "elsewhere");
        Directory.Move(Path.Combine(workspace, "data", "tiny"), elsewhere);
        var read = DatasetProvider.Ensure(
            data with
            {
                Directory = "../escaped",
            },
            workspace,
            elsewhere,
            ProgressReporter.Silent
        );
        Assert.Equal(elsewhere, read.Directory);
    }

    [Fact]
    public void Output_paths_written_in_a_config_file_stay_inside_the_workspace_even_when_absolute()
    {
        var (root, workspace) = NewWorkspace();
        using var _ = root;
        var outside = Path.Combine(root.Path, "outside");
        File.AppendAllText(
            Path.Combine(workspace, "configs", "experiment", "quick.yaml"),
            $"\npaths:\n  log_dir: {outside}\n"
        );

        var e = Assert.Throws<ConfigException>(() => TrainingRunner.Run(Request(workspace), ProgressReporter.Silent));
        Assert.Contains("quick.yaml:", e.Message);
        Assert.Contains(
            $"field 'paths.log_dir': expected a path that stays inside the workspace {workspace}, got '{outside}'",
            e.Message
        );
        Assert.False(Directory.Exists(outside));
    }
}
