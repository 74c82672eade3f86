using Nsmt.Config;
using Nsmt.Neural;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using Xunit.Abstractions;

namespace Nsmt.Spectral.Training.Tests;

public class ConfigCompositionTests(ITestOutputHelper output)
{
    // simple_saw's varying parameters: note_velocity 126..127 step 0.5 (3 classes), log10_decay_time -2..0.3 step 0.1 (24 classes).
    private static readonly HeadSpec[] SimpleSawHeads =
    [
        new("note_velocity", 3, 126, 127),
        new("log10_decay_time", 24, -2, 0.3),
    ];

    public static TheoryData<string> Experiments() => [.. new ConfigComposer(RepoPaths.Configs).Experiments()];

    [Theory]
    [MemberData(nameof(Experiments))]
    public void Every_experiment_composes_and_validates(string experiment)
    {
        var config = TrainConfig.Load(RepoPaths.Configs, experiment);
        Assert.Equal(12345, config.Seed);
        Assert.True(config.Trainer.MaxEpochs >= 1);
        Assert.Contains(config.Model.Network.Architecture, ModelFactory.ArchitectureNames);
    }

    [Theory]
    // The "params on simple_saw (heads 3 + 24)" column of spectral-models.md.
    [InlineData("cnn_64k", 1_137_819)]
    [InlineData("cnn_micro", 10_411)]
    [InlineData("cnn_tiny", 39_483)]
    [InlineData("vit_micro", 22_779)]
    [InlineData("vit_tiny", 115_867)]
    public void Named_model_configs_have_the_specified_parameter_counts_on_simple_saw(string model, long expected)
    {
        var config = TrainConfig.Load(RepoPaths.Configs, null, [$"model={model}"]);
        using var network = ModelFactory.Create(
            config.Model.Network,
            SimpleSawHeads,
            new InputShape(1, 32, 32),
            config.Model.HeadKind
        );
        Assert.Equal(expected, network.NumberOfParameters());
    }

    [Fact]
    public void Experiment_overrides_groups_and_command_line_overrides_experiment()
    {
        var config = TrainConfig.Load(RepoPaths.Configs, "trivial_tiny_small", ["model.optimizer.lr=0.5"]);
        Assert.Equal("simple_cnn", config.Model.Network.Architecture);
        Assert.Equal("16", config.Model.Network.Settings["conv1_channels"]); // cnn_tiny group file
        Assert.Equal(32, config.Data.BatchSize); // experiment
        Assert.Equal(0.001, config.Model.Optimizer.WeightDecay); // experiment over the group's 1e-3
        Assert.Equal(0.5, config.Model.Optimizer.LearningRate); // command line over the experiment
        Assert.Equal("trivial_tiny_small", config.TaskName);
        Assert.Equal(8, config.Trainer.MaxEpochs);
    }

    [Fact]
    public void Group_choice_on_the_command_line_swaps_the_model_file()
    {
        var config = TrainConfig.Load(RepoPaths.Configs, null, ["model=vit_micro", "model.net.embed_dim=64"]);
        Assert.Equal("vit", config.Model.Network.Architecture);
        Assert.Equal("64", config.Model.Network.Settings["embed_dim"]);
    }

    [Fact]
    public void Tilde_deletes_a_key_and_interpolation_reads_other_keys()
    {
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            null,
            ["~tags", "task_name=${model.net.architecture}_seed${seed}", "seed=7"]
        );
        Assert.Empty(config.Tags);
        Assert.Equal($"{config.Model.Network.Architecture}_seed7", config.TaskName); // resolved after every override
        Assert.Equal(config.TaskName, TrainConfig.FromResolvedYaml(config.ResolvedYaml, "config.yaml").TaskName); // text stays text
        var e = Assert.Throws<ConfigException>(() => TrainConfig.Load(RepoPaths.Configs, null, ["task_name=${sed}"]));
        Assert.Equal(
            "override 'task_name=${sed}': field 'task_name': expected a reference to a key of the config, got '${sed}' (did you mean 'seed'?)",
            e.Message
        );
    }

    [Fact]
    public void Unknown_override_names_the_key_and_the_nearest_valid_one()
    {
        var e = Assert.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, null, ["trainer.max_epoch=3"])
        );
        Assert.Contains("'trainer.max_epoch'", e.Message);
        Assert.Contains("did you mean 'trainer.max_epochs'", e.Message);
    }

    [Fact]
    public void Plus_prefix_adds_a_key_that_is_then_validated()
    {
        var config = TrainConfig.Load(RepoPaths.Configs, null, ["+model.head_weights.note_velocity=0.25"]);
        Assert.Equal(0.25, config.Model.HeadWeights["note_velocity"]);
        var e = Assert.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, null, ["+trainer.max_epocs=3"])
        );
        Assert.Contains("unknown key 'trainer.max_epocs'", e.Message);
        Assert.Contains("did you mean 'trainer.max_epochs'", e.Message);
    }

    [Fact]
    public void Unknown_key_in_an_experiment_file_names_file_line_and_nearest_key()
    {
        using var dir = CopyOfConfigs();
        dir.File(
            "configs/experiment/typo.yaml",
            "defaults:\n  model: cnn_micro\ntrainer:\n  patiense: 3\n  max_epochs: 2\n"
        );
        var e = Assert.Throws<ConfigException>(() => TrainConfig.Load(Path.Combine(dir.Path, "configs"), "typo"));
        Assert.Contains("typo.yaml:4", e.Message);
        Assert.Contains("'trainer.patiense'", e.Message);
    }

    [Fact]
    public void Bad_values_name_the_field_and_the_expected_value()
    {
        var e = Assert.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, null, ["data.batch_size=zero"])
        );
        Assert.Contains("field 'data.batch_size'", e.Message);
        Assert.Contains("expected an integer >= 1", e.Message);
        var mode = Assert.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, null, ["model.output_mode=clasification"])
        );
        Assert.Contains("did you mean 'classification'", mode.Message);
    }

    [Fact]
    public void Unknown_experiment_and_group_file_suggest_the_nearest_name()
    {
        var e = Assert.Throws<ConfigException>(() => TrainConfig.Load(RepoPaths.Configs, "trivial_tiny_smal"));
        Assert.Contains("did you mean 'trivial_tiny_small'", e.Message);
        var g = Assert.Throws<ConfigException>(() => TrainConfig.Load(RepoPaths.Configs, null, ["model=cnn_tinny"]));
        Assert.Contains("did you mean 'cnn_tiny'", g.Message);
    }

    [Fact]
    public void Unknown_network_setting_is_rejected_by_the_factory_with_a_suggestion()
    {
        var config = TrainConfig.Load(RepoPaths.Configs, null, ["+model.net.conv1_channel=4"]);
        var e = Assert.Throws<ModelConfigException>(() =>
            ModelFactory.Create(config.Model.Network, SimpleSawHeads, new InputShape(1, 32, 32))
        );
        Assert.Contains("did you mean 'conv1_channels'", e.Message);
    }

    [Fact]
    public void Resolved_yaml_reads_back_to_the_same_config()
    {
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            "moog_vit_resonance",
            ["model.optimizer.lr=1e-3", "tags=[a, 'b: c']"]
        );
        var again = TrainConfig.FromResolvedYaml(config.ResolvedYaml, "resolved");
        Assert.Equal(config.ResolvedYaml, again.ResolvedYaml);
        Assert.Equal(config.Model.Network.Settings, again.Model.Network.Settings);
        Assert.Equal(
            config.Model with
            {
                HeadWeights = again.Model.HeadWeights,
                Network = again.Model.Network,
            },
            again.Model
        );
        Assert.Equal(["a", "b: c"], again.Tags);
        Assert.Equal(config.Trainer, again.Trainer);
    }

    [Theory]
    [InlineData("lists")]
    [InlineData("mappings")]
    public void Alias_bomb_in_an_experiment_is_refused_fast_naming_file_and_line(string kind)
    {
        using var dir = CopyOfConfigs();
        var path = dir.File("configs/experiment/bomb.yaml", kind == "lists" ? YamlBombs.Lists() : YamlBombs.Mappings());
        var (e, cost) = Bounded.Throws<ConfigException>(() =>
            TrainConfig.Load(Path.Combine(dir.Path, "configs"), "bomb")
        );
        output.WriteLine($"{kind} bomb refused: {cost}");
        Assert.Contains(path + ":", e.Message);
        Assert.Contains("YamlGuard.MaxExpandedNodes", e.Message);
    }

    [Fact]
    public void Experiment_file_of_2_GiB_is_refused_without_being_read()
    {
        using var dir = CopyOfConfigs();
        var path = dir.File("configs/experiment/huge.yaml", "");
        using (var stream = File.OpenWrite(path))
        {
            stream.SetLength(1L << 31); // sparse
        }

        var (e, cost) = Bounded.Throws<ConfigException>(() =>
            TrainConfig.Load(Path.Combine(dir.Path, "configs"), "huge")
        );
        output.WriteLine($"2 GiB experiment refused: {cost}");
        Assert.Contains(path, e.Message);
        Assert.Contains($"the file is {1L << 31} bytes, expected at most 1048576 (YamlGuard.MaxFileBytes)", e.Message);
    }

    [Theory]
    [InlineData("data.batch_size=2147483648", "data.batch_size")]
    [InlineData("trainer.max_epochs=4294967296", "trainer.max_epochs")]
    [InlineData("data.size=1e30", "data.size")]
    public void Sizes_of_2_to_the_31_or_more_are_refused_naming_the_field(string assignment, string field)
    {
        var (e, _) = Bounded.Throws<ConfigException>(() => TrainConfig.Load(RepoPaths.Configs, null, [assignment]));
        output.WriteLine(e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains(assignment[(assignment.IndexOf('=') + 1)..], e.Message);
    }

    [Fact]
    public void Alias_bomb_in_a_list_override_is_refused()
    {
        // A list on the command line is parsed as YAML too.
        var (e, _) = Bounded.Throws<ConfigException>(() =>
            TrainConfig.Load(RepoPaths.Configs, null, ["+x=[&a [1, 1, 1], [*a, *a, *a]]"])
        );
        Assert.DoesNotContain("MaxExpandedNodes", e.Message); // small: read, then refused as an unknown key
        var bomb =
            "+x=["
            + string.Join(
                ", ",
                Enumerable
                    .Range(0, 5)
                    .Select(i =>
                        $"&l{i} ["
                        + (
                            i == 0
                                ? "1, 1, 1, 1, 1, 1, 1, 1, 1, 1"
                                : string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))
                        )
                        + "]"
                    )
            )
            + "]";
        var (big, _) = Bounded.Throws<ConfigException>(() => TrainConfig.Load(RepoPaths.Configs, null, [bomb]));
        Assert.Contains("YamlGuard.MaxExpandedNodes", big.Message);
    }

    [Theory]
    [InlineData("!!python/object:os.system 3", "!!python/object:os.system")]
    [InlineData("!include other.yaml", "!include")]
    public void Unknown_yaml_tags_in_an_experiment_are_refused_naming_file_and_line(string value, string tag)
    {
        using var dir = CopyOfConfigs();
        var path = dir.File(
            "configs/experiment/tagged.yaml",
            "defaults:\n  model: cnn_micro\ntrainer:\n  max_epochs: " + value + "\n"
        );
        var e = Assert.Throws<ConfigException>(() => TrainConfig.Load(Path.Combine(dir.Path, "configs"), "tagged"));
        Assert.StartsWith($"{path}:4:15: unsupported YAML tag '{tag}'", e.Message);
    }

    [Fact]
    public void Standard_yaml_tags_are_accepted()
    {
        using var dir = CopyOfConfigs();
        dir.File("configs/experiment/tagged.yaml", "defaults:\n  model: cnn_micro\ntrainer:\n  max_epochs: !!int 3\n");
        Assert.Equal(3, TrainConfig.Load(Path.Combine(dir.Path, "configs"), "tagged").Trainer.MaxEpochs);
    }

    private static TempDir CopyOfConfigs()
    {
        var dir = new TempDir();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Configs, "*.yaml", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, file);
            dir.File(relative, File.ReadAllText(file));
        }
        return dir;
    }
}
