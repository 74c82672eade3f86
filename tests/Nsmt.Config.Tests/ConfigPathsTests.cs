namespace Nsmt.Config.Tests;

public class ConfigPathsTests
{
    private static readonly string Workspace = Path.Combine(Path.GetTempPath(), "ws");

    [Theory]
    [InlineData("data/x", "data/x")]
    [InlineData("data/../logs", "logs")]
    public void Paths_from_a_config_resolve_inside_the_workspace(string value, string expected) =>
        Assert.Equal(Path.Combine(Workspace, expected), ConfigPaths.InsideWorkspace(value, "c.yaml:3:6", "data.dir", Workspace));

    [Theory]
    [InlineData("../escaped", "c.yaml:3:6")]
    [InlineData("/tmp/elsewhere", "c.yaml:3:6")]        // absolute, but written in a config file
    [InlineData("../escaped", "override 'data.dir=../escaped'")] // from the command line, but relative
    [InlineData("/tmp/elsewhere", null)]                 // set in code: no command line vouches for it
    public void Paths_leaving_the_workspace_are_refused_unless_absolute_on_the_command_line(string value, string? origin)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigPaths.InsideWorkspace(value, origin, "data.dir", Workspace));
        Assert.StartsWith($"{origin ?? "config"}: field 'data.dir': expected a path that stays inside the workspace {Workspace}, got '{value}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("must stay inside the workspace", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_path_from_the_command_line_is_taken_as_written()
    {
        var o = ConfigOverride.Parse("data.dir=/tmp/elsewhere");
        Assert.Equal("/tmp/elsewhere", ConfigPaths.InsideWorkspace("/tmp/elsewhere", o.Value.Origin, "data.dir", Workspace));
    }
}
