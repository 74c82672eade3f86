using System.Diagnostics;
using Xunit.Abstractions;

namespace Nsmt.Config.Tests;

/// <summary>Reading is safe by construction: alias bombs, deep nesting, big files and object tags are refused.</summary>
public class SafetyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("lists")]
    [InlineData("mappings")]
    public void Billion_laughs_is_refused_in_under_a_second_and_100_MB(string kind)
    {
        using var dir = new TempFolder();
        var path = dir.Write("lol.yaml", kind == "lists" ? YamlBombs.Lists() : YamlBombs.Mappings());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.ReadFile(path));
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine(
            $"{kind}: refused in {clock.Elapsed.TotalMilliseconds:0.0} ms, {allocated / 1e6:0.00} MB allocated"
        );
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(allocated < 100L << 20, $"allocated {allocated / 1e6:0.0} MB");
        Assert.StartsWith(path + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains(
            "expands to more than 100000 values (YamlGuard.MaxExpandedNodes)",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("alias bomb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recursive_alias_and_deep_nesting_are_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 70)) + string.Concat(Enumerable.Repeat("]", 70));
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse("a: " + deep + "\n", "deep.yaml"));
        Assert.Contains("nested more than 64 levels deep (YamlGuard.MaxDepth)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("!!python/object:os.system 1", "!!python/object:os.system", 4)]
    [InlineData("!Foo 1", "!Foo", 4)]
    public void Non_standard_tags_are_refused_naming_file_line_and_column(string value, string tag, int column)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse("a:\n  b: 1\nc: " + value + "\n", "t.yaml"));
        Assert.StartsWith($"t.yaml:3:{column}: unsupported YAML tag '{tag}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Standard_tags_are_read_as_plain_values()
    {
        var root = ConfigYaml.Parse("a: !!int 3\nb: !!str x\n", "t.yaml");
        Assert.Equal("3", ((ConfigScalar)root["a"]!).Text);
    }

    [Fact]
    public void A_file_over_1_MiB_is_refused_without_being_read()
    {
        using var dir = new TempFolder();
        var path = System.IO.Path.Combine(dir.Path, "huge.yaml");
        using (var stream = File.OpenWrite(path))
        {
            stream.SetLength(1L << 31); // sparse
        }

        var (e, _) = Bounded.Throws<ConfigException>(() => ConfigYaml.ReadFile(path));
        Assert.Equal(
            $"{path}: cannot read config: the file is {1L << 31} bytes, expected at most 1048576 (YamlGuard.MaxFileBytes)",
            e.Message
        );
    }

    [Theory]
    [InlineData(": [\nd")] // YamlDotNet 16: InvalidOperationException from its scanner
    [InlineData("\0: n")] // YamlDotNet 16: ArgumentException
    public void Yaml_that_breaks_the_parser_is_a_config_error_naming_the_file(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(text, "broken.yaml"));
        Assert.StartsWith("broken.yaml: invalid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_exception_is_bad_input()
    {
        var e = Assert.Throws<ConfigException>(() =>
            new ConfigReader(ConfigYaml.Parse("n: x\n", "f.yaml")).Int("n", 1)
        );
        Assert.IsAssignableFrom<Nsmt.Core.NsmtInputException>(e);
        Assert.Equal("f.yaml:1:4", e.Location);
        Assert.Equal("n", e.Key);
    }
}
