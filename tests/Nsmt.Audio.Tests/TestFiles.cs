using System.Globalization;

namespace Nsmt.Audio.Tests;

internal static class TestFiles
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>Runs sox (installed by build/setup.sh) and returns its standard output as a temp file's path.</summary>
    public static string Sox(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("sox")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sox {string.Join(' ', arguments)} failed: {stderr.Result}");
        }

        var output = Path.Combine(Path.GetTempPath(), $"nsmt-sox-{Guid.NewGuid():N}.dat");
        File.WriteAllText(output, stdout);
        return output;
    }

    /// <summary>Parses sox's text ("dat") output into planar channels.</summary>
    public static float[][] ReadSoxDat(string path)
    {
        var rows = new List<double[]>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.TrimStart().StartsWith(';') || line.Trim().Length == 0)
            {
                continue;
            }

            rows.Add(
                line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => double.Parse(s, CultureInfo.InvariantCulture))
                    .ToArray()
            );
        }

        var channels = rows[0].Length - 1;
        var result = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            result[c] = rows.Select(r => (float)r[c + 1]).ToArray();
        }

        return result;
    }
}

/// <summary>A scratch directory deleted when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nsmt-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}
