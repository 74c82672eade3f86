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
        + "(the folder containing Pipeline.sln), found by walking up from "
        + AppContext.BaseDirectory;

    public static string PathOf(string fileName) =>
        Path.Combine(Directory ?? throw new InvalidOperationException(SkipReason), fileName);

    public static float[] ReadMono(string fileName)
    {
        var audio = WavFile.Read(PathOf(fileName));
        Assert.Equal(1, audio.ChannelCount);
        return audio.Channels[0];
    }

    private static string? Locate() => SharedFixtureFolder.Find("nam");
}

/// <summary>Finds ../shared/fixtures/NAME beside the repository root (the folder holding Pipeline.sln).</summary>
internal static class SharedFixtureFolder
{
    public static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", name));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

/// <summary>
/// RTNeural's Keras-format models and the outputs Keras computed for them, in ../shared/fixtures/rtneural
/// (not ours; never copied into the project).
/// </summary>
internal static class RtNeuralFixtures
{
    private static readonly Lazy<string?> Directory_ = new(() => SharedFixtureFolder.Find("rtneural"));

    public static string? Directory => Directory_.Value;

    public static string SkipReason =>
        "RTNeural fixtures not found: expected ../shared/fixtures/rtneural next to the repository root (the folder containing Pipeline.sln)";

    public static string PathOf(string fileName) =>
        Path.Combine(Directory ?? throw new InvalidOperationException(SkipReason), fileName);

    /// <summary>One number per line, as RTNeural's *_python.csv files hold them.</summary>
    public static double[] ReadColumn(string fileName) =>
        File.ReadAllLines(PathOf(fileName))
            .Where(line => line.Trim().Length > 0)
            .Select(line => double.Parse(line, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
}

/// <summary>A theory that is skipped, with the reason, when the RTNeural fixtures are absent.</summary>
public sealed class RtNeuralFixtureTheoryAttribute : TheoryAttribute
{
    public RtNeuralFixtureTheoryAttribute()
    {
        if (RtNeuralFixtures.Directory is null)
        {
            Skip = RtNeuralFixtures.SkipReason;
        }
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
