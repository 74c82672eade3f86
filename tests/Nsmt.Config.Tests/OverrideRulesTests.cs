namespace Nsmt.Config.Tests;

/// <summary>
/// The override and file rules a bad-input probe found broken (issue 23, items 15-17 and 25): each case is built
/// as a user would type it, and each failed before the fix.
/// </summary>
public class OverrideRulesTests
{
    private const string Recipe = "training:\n  epochs: 25\n  lr: 0.004\nmetadata:\n  name: amp\n";

    private static ConfigReader Read(string yaml, params string[] overrides)
    {
        var root = ConfigYaml.Parse(yaml, "configs/amp/recipe.yaml");
        foreach (var o in overrides)
        {
            ConfigOverride.Parse(o).ApplyTo(root);
        }

        return new ConfigReader(root, "configs/amp/recipe.yaml");
    }

    [Theory]
    [InlineData("~training.epochs")]
    [InlineData("~training.epochs=")]
    [InlineData("~training.epochs=25")]
    public void Tilde_deletes_a_key_as_documented(string delete)
    {
        var r = Read(Recipe, delete);
        Assert.Null(r.Node("training.epochs"));
        Assert.Equal(100, r.Int("training.epochs", 100, 1));
    }

    [Fact]
    public void Tilde_with_a_value_deletes_only_that_value()
    {
        var e = Assert.Throws<ConfigException>(() => Read(Recipe, "~training.epochs=30"));
        Assert.Equal(
            "override '~training.epochs=30': key 'training.epochs' holds '25' (set at configs/amp/recipe.yaml:2:11), not '30'; "
                + "~training.epochs deletes it whatever it holds",
            e.Message
        );
    }

    [Theory]
    [InlineData("training.epochs=", "an empty value")]
    [InlineData("training.epochs=null", "'null'")]
    [InlineData("training.epochs=~", "'~'")]
    public void An_empty_value_is_an_error_for_a_key_that_cannot_be_null(string set, string got)
    {
        var r = Read(Recipe, set);
        var e = Assert.Throws<ConfigException>(() => r.Int("training.epochs", 100, 1));
        Assert.Equal(
            $"override '{set}': field 'training.epochs': expected an integer >= 1, got {got} "
                + "(this key cannot be null: give a value, or leave the key out for its default)",
            e.Message
        );
        Assert.Equal("training.epochs", e.Key);
    }

    [Fact]
    public void Every_non_nullable_read_refuses_null_and_nullable_reads_take_it()
    {
        var r = Read(Recipe, "training.lr=null", "metadata.name=");
        Assert.Throws<ConfigException>(() => r.Double("training.lr", 0.001));
        Assert.Throws<ConfigException>(() => r.String("metadata.name", "x"));
        Assert.Throws<ConfigException>(() => r.Bool("metadata.name", false));
        Assert.Throws<ConfigException>(() => r.Choice("metadata.name", "a", "a", "b"));
        Assert.Throws<ConfigException>(() => r.UInt64("metadata.name", 1));
        Assert.Null(r.NullableDouble("training.lr"));
        Assert.Null(r.OptionalString("metadata.name"));
        Assert.False(r.Has("metadata.name"));
    }

    [Fact]
    public void Plus_on_an_existing_key_is_an_error_as_in_hydra()
    {
        var e = Assert.Throws<ConfigException>(() => Read(Recipe, "+training.epochs=5"));
        Assert.Equal(
            "override '+training.epochs=5': key 'training.epochs' already exists (set at configs/amp/recipe.yaml:2:11); "
                + "change it with training.epochs=..., + only adds a new key",
            e.Message
        );
        Assert.Equal(0.5, Read(Recipe, "+training.ema=0.5").Double("training.ema", 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    public void An_empty_config_file_is_an_error_naming_it(string text)
    {
        using var folder = new TempFolder();
        var file = folder.Write("empty.yaml", text);
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.ReadFile(file));
        Assert.Equal($"{file}: the config file is empty (expected a mapping of keys, e.g. 'seed: 0')", e.Message);
    }

    [Fact]
    public void A_second_yaml_document_is_an_error_naming_the_file_and_line()
    {
        using var folder = new TempFolder();
        var file = folder.Write("two.yaml", "training:\n  epochs: 25\n---\ntraining:\n  epochs: 1\n");
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.ReadFile(file));
        Assert.Equal(
            $"{file}:4:1: a second YAML document ('---'): a config is one document (merge them or split the file)",
            e.Message
        );
    }

    [Fact]
    public void A_directory_given_as_a_config_says_so()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.ReadFile(folder.Path));
        Assert.Equal($"{folder.Path}: cannot read config: it is a directory (expected a YAML file)", e.Message);
    }

    [Fact]
    public void An_over_long_key_is_shortened_in_its_message()
    {
        var key = new string('k', 100_000);
        var e = Assert.Throws<ConfigException>(() => Read(Recipe, $"training.{key}=1"));
        Assert.True(e.Message.Length < 1000, $"{e.Message.Length} characters");
        Assert.Contains("(100009 characters)", e.Message, StringComparison.Ordinal);
    }
}
