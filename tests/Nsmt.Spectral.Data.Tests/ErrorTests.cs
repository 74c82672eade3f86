using Nsmt.Config;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Spectral.Data.Tests;

public class ErrorTests
{
    [Fact]
    public void Unknown_override_key_is_an_error_naming_it()
    {
        var e = Assert.Throws<ConfigException>(() => TestSupport.Config("simple_saw", "dataset.sise=10"));
        Assert.Equal(
            $"override 'dataset.sise=10': unknown key 'dataset.sise' (did you mean 'dataset.size'?) (not a setting of {TestSupport.ShippedConfig("simple_saw")})",
            e.Message
        );
    }

    [Theory]
    [InlineData("dataset.size=abc", "field 'dataset.size': expected an integer")]
    [InlineData("generate.channels=2", "field 'generate.channels': expected 1 or 3")]
    [InlineData(
        "stft.window_type=kaiser",
        "field 'stft.window_type': expected one of rectangular, hann, hamming, blackman"
    )]
    [InlineData("generate.width=200", "field 'generate.width'")]
    [InlineData("generate.height=41", "height=41 needs 42")]
    [InlineData("synthesizer.parameters.note_velocity.step=0", "step must be positive")]
    [InlineData("generate.normalize=true", "needs generate.temporal_envelope")]
    public void Bad_values_are_errors_naming_the_field_and_expectation(string assignment, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => TestSupport.Config("simple_saw", assignment));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unknown_key_in_file_names_file_line_and_key()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(TestSupport.ShippedConfig("simple_saw"))
            .Replace("  channels: 1", "  channels: 1\n  chanels: 3");
        var path = dir.WriteYaml(text);
        var e = Assert.Throws<ConfigException>(() => GeneratorConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("unknown key 'generate.chanels'", e.Message);
    }

    [Fact]
    public void Unknown_synth_parameter_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() =>
            TestSupport.Config("simple_saw", "synthesizer.parameters.wobble.min_value=1")
        );
        Assert.Contains("unknown synthesizer parameter 'wobble'", e.Message);
    }

    private static string MakeDataset(TempDir dir, int size = 10)
    {
        var config = TestSupport.Config("simple_saw", $"dataset.size={size}");
        return DatasetGenerator
            .Generate(
                config,
                new GenerationOptions { OutputDirectory = dir.File(config.DatasetName), WriteReports = false }
            )
            .DatasetDirectory;
    }

    [Fact]
    public void Truncated_record_names_file_and_byte_offset()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var train = Path.Combine(ds, "train");
        var bytes = File.ReadAllBytes(train);
        File.WriteAllBytes(train, bytes[..^100]);

        var e = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains(train, e.Message);
        Assert.Contains($"truncated record at byte offset {7 * 1043}", e.Message);
    }

    [Fact]
    public void Record_dimensions_disagreeing_with_json_are_errors()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var test = Path.Combine(ds, "test");
        var bytes = File.ReadAllBytes(test);
        bytes[1043] = 31; // second record claims height 31
        File.WriteAllBytes(test, bytes);

        var e = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains("record at byte offset 1043 is 31x32x1", e.Message);
    }

    [Fact]
    public void Parameter_id_out_of_range_is_an_error()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var train = Path.Combine(ds, "train");
        var bytes = File.ReadAllBytes(train);
        bytes[(2 * 1043) + 17] = 5; // second pair's id
        File.WriteAllBytes(train, bytes);

        var e = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains("record at byte offset 2086: parameter id 5 is out of range", e.Message);
    }

    [Fact]
    public void Directory_name_disagreeing_with_json_is_an_error()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var renamed = Path.Combine(dir.Path, "vimh-16x32x1_8000Hz_1p0s_10dss_simple_2p");
        Directory.Move(ds, renamed);

        var e = Assert.Throws<VimhDataException>(() => VimhDataset.Load(renamed));
        Assert.Contains("directory name says 16x32x1", e.Message);
    }

    [Fact]
    public void Record_count_disagreeing_with_json_is_an_error()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var train = Path.Combine(ds, "train");
        File.WriteAllBytes(train, File.ReadAllBytes(train)[..(3 * 1043)]);

        var e = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains("holds 3 records but vimh_dataset_info.json field 'train_samples' says 8", e.Message);
    }

    [Fact]
    public void Missing_or_broken_info_json_is_an_error_naming_it()
    {
        using var dir = new TempDir();
        var ds = MakeDataset(dir);
        var info = Path.Combine(ds, VimhFormat.InfoFileName);
        File.WriteAllText(info, "{\"height\": 32");
        var broken = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains(info, broken.Message);

        File.Delete(info);
        var missing = Assert.Throws<VimhDataException>(() => VimhDataset.Load(ds));
        Assert.Contains(info, missing.Message);
    }

    [Theory]
    [InlineData("lists")]
    [InlineData("mappings")]
    public void Alias_bomb_is_refused_fast_naming_file_and_line(string kind)
    {
        using var dir = new TempDir();
        var path = dir.WriteYaml(kind == "lists" ? YamlBombs.Lists() : YamlBombs.Mappings());
        var (e, _) = Bounded.Throws<ConfigException>(() => GeneratorConfig.Load(path));
        Assert.Contains(path + ":", e.Message);
        Assert.Contains("YamlGuard.MaxExpandedNodes", e.Message);
    }

    [Theory]
    [InlineData("!!python/object:builtins.int 1", "!!python/object:builtins.int")]
    [InlineData("!custom 1", "!custom")]
    public void Unknown_yaml_tags_are_refused_naming_file_and_line(string value, string tag)
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(TestSupport.ShippedConfig("simple_saw"))
            .Replace("  channels: 1", "  channels: " + value);
        var lines = text.Split('\n').ToList();
        var line = lines.FindIndex(l => l.Contains(tag, StringComparison.Ordinal)) + 1;
        var column = lines[line - 1].IndexOf(tag, StringComparison.Ordinal) + 1;
        var path = dir.WriteYaml(text);
        var e = Assert.Throws<ConfigException>(() => GeneratorConfig.Load(path));
        Assert.StartsWith($"{path}:{line}:{column}: unsupported YAML tag '{tag}'", e.Message);
    }

    [Fact]
    public void Standard_yaml_tags_are_accepted()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(TestSupport.ShippedConfig("simple_saw"))
            .Replace("  channels: 1", "  channels: !!int 1");
        Assert.Equal(1, GeneratorConfig.Load(dir.WriteYaml(text)).Channels);
    }
}
