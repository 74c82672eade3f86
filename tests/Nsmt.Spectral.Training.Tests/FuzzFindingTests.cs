using Nsmt.Config;

namespace Nsmt.Spectral.Training.Tests;

/// <summary>Inputs AFL++ found (bench/fuzz, minimised) that escaped the config reader with undocumented exceptions.</summary>
public class FuzzFindingTests
{
    [Theory]
    [InlineData(": [\nd")] // YamlDotNet 16: InvalidOperationException from its scanner
    [InlineData("\0: n")] // YamlDotNet 16: ArgumentException ("current event is of an unsupported type")
    public void Yaml_that_breaks_the_parser_is_a_config_error_naming_the_file(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(text, "experiment/broken.yaml"));
        Assert.Contains("experiment/broken.yaml: invalid YAML", e.Message, StringComparison.Ordinal);
    }
}
