using Nsmt.Amp.Training.Config;
using Nsmt.Config;

namespace Nsmt.Amp.Training.Tests;

public class ConfigTests
{
    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException(
            "repository root (Pipeline.sln) not found above " + AppContext.BaseDirectory
        );
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
        foreach (var file in Directory.GetFiles(RepoFile(Path.Combine("configs", "amp")), "*.yaml"))
        {
            // A config with a knobs: section is a knob experiment (AmpTrain dispatches on it the same way).
            if (Nsmt.Config.SiblingDefaults.Load(file)["knobs"] is not null)
            {
                Assert.True(Nsmt.Amp.Training.Knobs.KnobTrainConfig.Load(file).Settings.Count >= 2);
            }
            else
            {
                AmpTrainConfig.Load(file);
            }
        }

        var config = AmpTrainConfig.Load(
            RepoFile("configs/amp/default.yaml"),
            ["training.epochs=7", "model.preset=standard", "loss.dc=0.5"]
        );
        Assert.Equal(7, config.Training.Epochs);
        Assert.Equal("standard", config.Model.Preset);
        Assert.Equal(0.5, config.Loss.Dc);
        Assert.Equal(DataSource.Reference, config.Data.Source);
    }

    [Fact]
    public void Resolved_yaml_reads_back_to_the_same_config()
    {
        var config = AmpTrainConfig.Parse(
            "model:\n  type: lstm\n  preset: lite\nmetadata:\n  name: \"a \\\"quoted\\\" name\"\n",
            "x",
            ["data.amp.noise_dbfs=-60", "training.grad_clip=1", "model.lstm_burn_in=128"]
        );
        var again = AmpTrainConfig.Parse(config.ResolvedYaml, "resolved");
        Assert.Equal(config.ResolvedYaml, again.ResolvedYaml);
        Assert.Equal("a \"quoted\" name", again.Metadata.Name);
        Assert.Equal(-60, again.Data.Amp.NoiseDbfs);
    }

    [Fact]
    public void Default_and_files_configs_share_the_one_recipe_and_differ_only_in_data_and_metadata()
    {
        var recipe = AmpTrainConfig.Load(RepoFile("configs/amp/recipe.yaml"));
        var reference = AmpTrainConfig.Load(RepoFile("configs/amp/default.yaml"));
        var files = AmpTrainConfig.Load(RepoFile("configs/amp/files.yaml"));
        var quick = AmpTrainConfig.Load(RepoFile("configs/amp/quick_amp.yaml"));
        foreach (var config in new[] { reference, files, quick })
        {
            Assert.Equal(recipe.Model, config.Model);
            Assert.Equal(recipe.Loss, config.Loss);
            Assert.Equal(recipe.Seed, config.Seed);
        }

        Assert.Equal(recipe.Training, reference.Training);
        Assert.Equal(recipe.Training, files.Training);
        Assert.Equal(recipe.Training with { Epochs = 6 }, quick.Training);
        Assert.Equal(reference.Data, quick.Data);
        Assert.Equal(4, files.Training.BatchSize); // the recipe's, not NAM's 16
        Assert.Equal(DataSource.Files, files.Data.Source);
    }

    [Fact]
    public void Defaults_list_composes_files_beside_it_in_order_with_the_own_keys_winning()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.yaml"), "training:\n  epochs: 5\n  lr: 0.01\nloss:\n  dc: 0.5\n");
        File.WriteAllText(dir.File("b.yaml"), "defaults: [a]\ntraining:\n  lr: 0.02\n");
        File.WriteAllText(dir.File("c.yaml"), "defaults: [b, a.yaml]\ntraining:\n  batch_size: 2\n");

        var config = AmpTrainConfig.Load(dir.File("c.yaml"), ["loss.dc=0.25"]);

        Assert.Equal(5, config.Training.Epochs); // from a
        Assert.Equal(0.01, config.Training.LearningRate); // a again after b: later entries win
        Assert.Equal(2, config.Training.BatchSize); // own key
        Assert.Equal(0.25, config.Loss.Dc); // the override wins over everything
    }

    [Theory]
    [InlineData("defaults: [self]\n", "includes itself")]
    [InlineData("defaults: [missing]\n", "no config")]
    [InlineData("defaults: recipe\n", "must be a list of config names")]
    public void Bad_defaults_lists_fail_naming_the_file_and_line(string yaml, string expected)
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("self.yaml"), yaml);
        var error = Assert.Throws<ConfigException>(() => AmpTrainConfig.Load(dir.File("self.yaml")));
        Assert.Contains(dir.File("self.yaml") + ":1", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data.seconds=60", "field 'data.seconds' applies only to data.source: reference")]
    [InlineData("data.amp.gain_db=3", "field 'data.amp.gain_db' applies only to data.source: reference")]
    [InlineData("data.sample_rate=44100", "field 'data.sample_rate' applies only to data.source: reference")]
    public void Settings_of_the_other_data_source_are_refused(string setting, string expected)
    {
        var error = Assert.Throws<ConfigException>(() =>
            AmpTrainConfig.Load(RepoFile("configs/amp/files.yaml"), [setting])
        );
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"override '{setting}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.type=seed_wavenet", "field 'model.type': 'seed_wavenet' was renamed 'plain_wavenet'")]
    [InlineData(
        "model.seed.channels=8",
        "field 'model.seed.channels': the plain WaveNet's settings were renamed: write model.plain_wavenet.channels"
    )]
    [InlineData("model.seed=3", "field 'model.seed': the plain WaveNet's settings were renamed")]
    public void The_plain_wavenets_old_seed_spellings_are_refused_naming_the_new_key(string setting, string expected)
    {
        var error = Assert.Throws<ConfigException>(() =>
            AmpTrainConfig.Load(RepoFile("configs/amp/default.yaml"), [setting])
        );
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"override '{setting}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_of_the_old_seed_spelling_is_refused_at_its_line()
    {
        const string Old = """
            seed: 0
            model:
              type: plain_wavenet
              seed:
                channels: 16
            """;
        var error = Assert.Throws<ConfigException>(() => AmpTrainConfig.Parse(Old, "old.yaml"));
        Assert.StartsWith("old.yaml:5:", error.Message, StringComparison.Ordinal);
        Assert.Contains("write model.plain_wavenet.channels", error.Message, StringComparison.Ordinal);
        Assert.Contains("the random seed is the top-level key 'seed'", error.Message, StringComparison.Ordinal);

        var renamed = AmpTrainConfig.Parse(
            Old.Replace("  seed:", "  plain_wavenet:", StringComparison.Ordinal),
            "new.yaml"
        );
        Assert.Equal(16, renamed.Model.PlainWaveNet.Channels);
        Assert.Equal(0, renamed.Seed);
    }

    [Fact]
    public void Switching_the_model_type_keeps_only_that_types_settings()
    {
        var yaml = AmpTrainConfig
            .Load(RepoFile("configs/amp/default.yaml"), ["model.type=plain_wavenet", "model.plain_wavenet.channels=8"])
            .ResolvedYaml;
        Assert.Contains("    channels: 8\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("preset:", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("head_scale:", yaml, StringComparison.Ordinal);

        var lstm = AmpTrainConfig.Load(RepoFile("configs/amp/default.yaml"), ["model.type=lstm"]).ResolvedYaml;
        Assert.Contains("  lstm_burn_in: ", lstm, StringComparison.Ordinal);
        Assert.DoesNotContain("  plain_wavenet:\n", lstm, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolved_config_of_a_files_run_holds_only_the_keys_that_apply()
    {
        var yaml = AmpTrainConfig.Load(RepoFile("configs/amp/files.yaml")).ResolvedYaml;

        Assert.Contains("  source: files\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  di: ", yaml, StringComparison.Ordinal);
        foreach (
            var key in new[]
            {
                "seconds:",
                "sample_rate:",
                "capture_seed:",
                "amp:",
                "gain_db:",
                "lstm_burn_in:",
                "channels:",
            }
        )
        {
            Assert.DoesNotContain("  " + key, yaml, StringComparison.Ordinal);
        }

        Assert.Equal(yaml, AmpTrainConfig.Parse(yaml, "resolved").ResolvedYaml);
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
        var error = Assert.Throws<ConfigException>(() => AmpTrainConfig.Parse(yaml, "x"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(": [\nd")] // found by fuzzing: YamlDotNet 16 throws InvalidOperationException
    [InlineData("\0: n")] // found by fuzzing: YamlDotNet 16 throws ArgumentException
    public void Yaml_that_breaks_the_parser_is_a_config_error_naming_the_file(string text)
    {
        var error = Assert.Throws<ConfigException>(() => AmpTrainConfig.Parse(text, "broken.yaml"));
        Assert.Contains("broken.yaml: invalid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_override_is_an_error_naming_it()
    {
        var error = Assert.Throws<ConfigException>(() => AmpTrainConfig.Parse("", "x", ["training.learning_rate=0.1"]));
        Assert.Contains("override 'training.learning_rate=0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'training.learning_rate'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_file_of_2_GiB_is_refused_without_being_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-amp-huge-{Guid.NewGuid():N}.yaml");
        try
        {
            using (var stream = File.OpenWrite(path))
            {
                stream.SetLength(1L << 31); // sparse
            }

            var (e, _) = Bounded.Throws<ConfigException>(() => AmpTrainConfig.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(
                $"the file is {1L << 31} bytes, expected at most 1048576 (YamlGuard.MaxFileBytes)",
                e.Message
            );
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("training.batch_size", "2147483648")]
    [InlineData("data.ny", "4294967296")]
    [InlineData("training.epochs", "1e30")]
    public void Sizes_of_2_to_the_31_or_more_are_refused_naming_the_field(string key, string value)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-amp-size-{Guid.NewGuid():N}.yaml");
        var parts = key.Split('.');
        File.WriteAllText(path, $"{parts[0]}:\n  {parts[1]}: {value}\n");
        try
        {
            var (e, _) = Bounded.Throws<ConfigException>(() => AmpTrainConfig.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(key, e.Message);
            Assert.Contains(value, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("lists")]
    [InlineData("mappings")]
    public void Alias_bomb_is_refused_fast_naming_file_and_line(string kind)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-amp-bomb-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, kind == "lists" ? YamlBombs.Lists("training") : YamlBombs.Mappings("training"));
        try
        {
            var (e, _) = Bounded.Throws<ConfigException>(() => AmpTrainConfig.Load(path));
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
        var e = Assert.Throws<ConfigException>(() =>
            AmpTrainConfig.Parse("seed: 0\ntraining:\n  epochs: " + value + "\n", "tagged.yaml")
        );
        Assert.StartsWith($"tagged.yaml:3:11: unsupported YAML tag '{tag}'", e.Message);
    }

    [Fact]
    public void Standard_yaml_tags_are_accepted()
    {
        Assert.Equal(7, AmpTrainConfig.Parse("training:\n  epochs: !!int 7\n", "tagged.yaml").Training.Epochs);
    }

    /// <summary>A scratch folder removed when the test ends.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nsmt-amp-config-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
