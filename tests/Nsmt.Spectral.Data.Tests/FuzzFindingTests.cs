using Nsmt.Config;
using Nsmt.Spectral.Data.Config;

namespace Nsmt.Spectral.Data.Tests;

/// <summary>Inputs AFL++ found (bench/fuzz, minimised) that escaped the readers with undocumented exceptions.</summary>
public class FuzzFindingTests
{
    [Fact]
    public void Dataset_info_with_invalid_utf8_inside_a_string_is_refused_naming_the_file()
    {
        // JsonDocument accepted the text and threw InvalidOperationException when the string was read.
        byte[] json = [.. "{\"height\": 32, \"label_names\": [\""u8, 0xFF, 0xFE, .. "\"]}"u8];
        var e = Assert.Throws<VimhDataException>(() => VimhInfo.Parse(json, "info.json"));
        Assert.Contains("info.json: not valid UTF-8", e.Message);
    }

    [Theory]
    [InlineData(": [\nd")] // YamlDotNet 16: InvalidOperationException from its scanner
    [InlineData("\0: n")] // YamlDotNet 16: ArgumentException ("current event is of an unsupported type")
    public void Yaml_that_breaks_the_parser_is_a_config_error_naming_the_file(string text)
    {
        using var dir = new TempDir();
        var path = dir.WriteYaml(text);
        var e = Assert.Throws<ConfigException>(() => GeneratorConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("invalid YAML", e.Message);
    }
}
