using Nsmt.Amp.Training.Config;

namespace Nsmt.Amp.Training.Tests;

public class ConfigTests
{
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("repository root (Pipeline.sln) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Defaults_are_nams_recipe()
    {
        var config = AmpTrainConfig.Parse("");
        Assert.Equal(0.004, config.Training.LearningRate);
        Assert.Equal(0.993, config.Training.LearningRateGamma);
        Assert.Equal(16, config.Training.BatchSize);
        Assert.Equal(100, config.Training.Epochs);
        Assert.Equal(3, config.Training.TopK);
        Assert.Equal(8192, config.Data.Ny);
        Assert.Equal(1.0, config.Loss.Mse);
        Assert.Equal(2e-4, config.Loss.PreEmphasisMrstft);
        Assert.Equal(0.85, config.Loss.PreEmphasisCoefficient);
    }

    [Fact]
    public void Shipped_configs_load_and_overrides_apply()
    {
        foreach (string file in Directory.GetFiles(RepoFile(Path.Combine("configs", "amp")), "*.yaml"))
        {
            AmpTrainConfig.Load(file);
        }

        var config = AmpTrainConfig.Load(RepoFile("configs/amp/default.yaml"), ["training.epochs=7", "model.preset=standard", "loss.dc=0.5"]);
        Assert.Equal(7, config.Training.Epochs);
        Assert.Equal("standard", config.Model.Preset);
        Assert.Equal(0.5, config.Loss.Dc);
        Assert.Equal(DataSource.Reference, config.Data.Source);
    }

    [Fact]
    public void Resolved_yaml_reads_back_to_the_same_config()
    {
        var config = AmpTrainConfig.Parse("model:\n  type: lstm\n  preset: lite\nmetadata:\n  name: \"a \\\"quoted\\\" name\"\n", "x",
            ["data.amp.noise_dbfs=-60", "training.grad_clip=1"]);
        var again = AmpTrainConfig.Parse(config.ToYaml(), "resolved");
        Assert.Equal(config.ToYaml(), again.ToYaml());
        Assert.Equal("a \"quoted\" name", again.Metadata.Name);
        Assert.Equal(-60, again.Data.Amp.NoiseDbfs);
    }

    [Theory]
    [InlineData("training:\n  epocs: 3\n", "unknown key 'training.epocs'", "x:2")]
    [InlineData("model:\n  preset: huge\n", "field 'model.preset'", "one of standard, lite, feather, nano")]
    [InlineData("training:\n  lr: fast\n", "field 'training.lr'", "got 'fast'")]
    [InlineData("metadata:\n  gear_type: synth\n", "field 'metadata.gear_type'", "amp")]
    [InlineData("data:\n  source: files\n", "data.di and data.reamp", "files")]
    [InlineData("loss:\n  mse: 0\n  pre_emph_mrstft: 0\n", "every weight is 0", "loss")]
    public void Bad_configs_fail_naming_the_field(string yaml, string expected, string alsoExpected)
    {
        var error = Assert.Throws<AmpConfigException>(() => AmpTrainConfig.Parse(yaml, "x"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_override_is_an_error_naming_it()
    {
        var error = Assert.Throws<AmpConfigException>(() => AmpTrainConfig.Parse("", "x", ["training.learning_rate=0.1"]));
        Assert.Contains("override 'training.learning_rate=0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'training.learning_rate'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lists")]
    [InlineData("mappings")]
    public void Alias_bomb_is_refused_fast_naming_file_and_line(string kind)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nsmt-amp-bomb-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, kind == "lists" ? YamlBombs.Lists("training") : YamlBombs.Mappings("training"));
        try
        {
            var (e, _) = Bounded.Throws<AmpConfigException>(() => AmpTrainConfig.Load(path));
            Assert.Contains(path + ":", e.Message);
            Assert.Contains("YamlGuard.MaxExpandedNodes", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("!!python/object:os.system 7", "!!python/object:os.system")]
    [InlineData("!custom 7", "!custom")]
    public void Unknown_yaml_tags_are_refused_naming_file_and_line(string value, string tag)
    {
        var e = Assert.Throws<AmpConfigException>(() => AmpTrainConfig.Parse("seed: 0\ntraining:\n  epochs: " + value + "\n", "tagged.yaml"));
        Assert.StartsWith($"tagged.yaml:3: unsupported YAML tag '{tag}'", e.Message);
    }

    [Fact]
    public void Standard_yaml_tags_are_accepted()
    {
        Assert.Equal(7, AmpTrainConfig.Parse("training:\n  epochs: !!int 7\n", "tagged.yaml").Training.Epochs);
    }
}
