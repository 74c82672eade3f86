namespace Nsmt.Config.Tests;

public class ConfigPathsTests
{
    private static readonly string Workspace = Path.Combine(Path.GetTempPath(), "ws");

    [Theory]
    [InlineData("data/x", "data/x")]
    [InlineData("data/../logs", "logs")]
    public void Paths_from_a_config_resolve_inside_the_workspace(string value, string expected) =>
        Assert.Equal(
            Path.Combine(Workspace, expected),
            ConfigPaths.InsideWorkspace(value, "c.yaml:3:6", "data.dir", Workspace)
        );

    [Theory]
    [InlineData("../escaped", "c.yaml:3:6")]
    [InlineData("/tmp/elsewhere", "c.yaml:3:6")] // absolute, but written in a config file
    [InlineData("../escaped", "override 'data.dir=../escaped'")] // from the command line, but relative
    [InlineData("/tmp/elsewhere", null)] // set in code: no command line vouches for it
    public void Paths_leaving_the_workspace_are_refused_unless_absolute_on_the_command_line(
        string value,
        string? origin
    )
    {
        var e = Assert.Throws<ConfigException>(() => ConfigPaths.InsideWorkspace(value, origin, "data.dir", Workspace));
        Assert.StartsWith(
            $"{origin ?? "config"}: field 'data.dir': expected a path that stays inside the workspace {Workspace}, got '{value}'",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("must stay inside the workspace", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_path_from_the_command_line_is_taken_as_written()
    {
        var o = ConfigOverride.Parse("data.dir=/tmp/elsewhere");
        Assert.Equal(
            "/tmp/elsewhere",
            ConfigPaths.InsideWorkspace("/tmp/elsewhere", o.Value.Origin, "data.dir", Workspace)
        );
    }

    [Theory]
    [InlineData("out")] // the link itself
    [InlineData("out/data")] // a folder to be made below it
    [InlineData("chain/data")] // a link to the link
    [InlineData("inner/../out")] // through a real folder first
    public void A_symbolic_link_inside_the_workspace_does_not_carry_a_config_path_outside(string value)
    {
        var temp = Directory.CreateTempSubdirectory("nsmt-config-paths-").FullName;
        try
        {
            var workspace = Directory.CreateDirectory(Path.Combine(temp, "ws")).FullName;
            var outside = Directory.CreateDirectory(Path.Combine(temp, "outside")).FullName;
            Directory.CreateDirectory(Path.Combine(workspace, "inner"));
            Directory.CreateSymbolicLink(Path.Combine(workspace, "out"), outside);
            Directory.CreateSymbolicLink(Path.Combine(workspace, "chain"), "out");
            var e = Assert.Throws<ConfigException>(() =>
                ConfigPaths.InsideWorkspace(value, "c.yaml:3:6", "data.dir", workspace)
            );
            Assert.Contains("through a symbolic link " + outside, e.Message, StringComparison.Ordinal);
            Assert.Contains("must stay inside the workspace", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void A_symbolic_link_that_stays_inside_the_workspace_is_fine_and_the_path_is_kept_as_written()
    {
        var temp = Directory.CreateTempSubdirectory("nsmt-config-paths-").FullName;
        try
        {
            // The workspace itself reached through a link (a checkout under a linked home) is still the workspace.
            var real = Directory.CreateDirectory(Path.Combine(temp, "real")).FullName;
            var workspace = Path.Combine(temp, "ws");
            Directory.CreateSymbolicLink(workspace, real);
            Directory.CreateDirectory(Path.Combine(real, "datasets"));
            Directory.CreateSymbolicLink(Path.Combine(real, "data"), "datasets");
            Assert.Equal(
                Path.Combine(workspace, "data", "x"),
                ConfigPaths.InsideWorkspace("data/x", "c.yaml:3:6", "data.dir", workspace)
            );
            Assert.Equal(
                Path.Combine(real, "datasets", "x"),
                ConfigPaths.RealPath(Path.Combine(workspace, "data", "x"))
            );
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
