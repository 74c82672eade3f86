using Nsmt.Audio;

namespace Nsmt.Tests.Shared;

/// <summary>
/// Locates NAM Core's conformance fixtures in ../shared/fixtures/nam beside the repository root
/// (the directory holding Pipeline.sln). They are not ours and are never copied into the project.
/// </summary>
internal static class NamFixtures
{
    private static readonly Lazy<string?> Directory_ = new(Locate);

    public static string? Directory => Directory_.Value;

    public static string SkipReason =>
        "NAM conformance fixtures not found: expected ../shared/fixtures/nam next to the repository root "
        + "(the folder containing Pipeline.sln), found by walking up from " + AppContext.BaseDirectory;

    public static string PathOf(string fileName) =>
        Path.Combine(Directory ?? throw new InvalidOperationException(SkipReason), fileName);

    public static float[] ReadMono(string fileName)
    {
        var audio = WavFile.Read(PathOf(fileName));
        Assert.Equal(1, audio.ChannelCount);
        return audio.Channels[0];
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "nam"));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, with the reason, when the NAM fixtures are absent.</summary>
public sealed class NamFixtureFactAttribute : FactAttribute
{
    public NamFixtureFactAttribute()
    {
        if (NamFixtures.Directory is null)
        {
            Skip = NamFixtures.SkipReason;
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when the NAM fixtures are absent.</summary>
public sealed class NamFixtureTheoryAttribute : TheoryAttribute
{
    public NamFixtureTheoryAttribute()
    {
        if (NamFixtures.Directory is null)
        {
            Skip = NamFixtures.SkipReason;
        }
    }
}
