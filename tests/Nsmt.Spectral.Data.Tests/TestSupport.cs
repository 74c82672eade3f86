using Nsmt.Spectral.Data.Config;

namespace Nsmt.Spectral.Data.Tests;

internal static class TestSupport
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The shipped configs, copied next to the test assembly.</summary>
    public static string ShippedConfig(string name) =>
        Path.Combine(AppContext.BaseDirectory, "configs", name + ".yaml");

    public static GeneratorConfig Config(string name, params string[] overrides) =>
        GeneratorConfig.Load(ShippedConfig(name), overrides);
}

/// <summary>A scratch directory deleted when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nsmt-vimh-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string WriteYaml(string text, string name = "config.yaml")
    {
        var p = File(name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}
