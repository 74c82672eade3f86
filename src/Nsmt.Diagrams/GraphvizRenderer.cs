using System.Diagnostics;
using Nsmt.Core;

namespace Nsmt.Diagrams;

/// <summary>Result of turning a DOT file into SVG: the SVG path when it was written, else why not and what to do.</summary>
public sealed record RenderResult(string? SvgPath, string Message)
{
    public bool Rendered => SvgPath is not null;
}

/// <summary>Renders DOT files with Graphviz's <c>dot</c> program (Debian package graphviz).</summary>
public static class GraphvizRenderer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The <c>dot</c> executable on PATH, or null.</summary>
    public static string? FindDot(string? searchPath = null)
    {
        searchPath ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "dot.exe" : "dot");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Runs <c>dot -Tsvg</c> on <paramref name="dotPath"/> and writes <paramref name="svgPath"/> atomically (an
    /// existing SVG is replaced only by a complete new one). Without Graphviz nothing is written and the message
    /// says how to get the SVG; a failing <c>dot</c> throws with its error output. <paramref name="searchPath"/>
    /// replaces PATH when looking for <c>dot</c>.
    /// </summary>
    public static RenderResult RenderSvg(string dotPath, string svgPath, string? searchPath = null)
    {
        ArgumentNullException.ThrowIfNull(dotPath);
        ArgumentNullException.ThrowIfNull(svgPath);
        if (!File.Exists(dotPath))
        {
            throw new FileNotFoundException($"DOT file not found: {dotPath}", dotPath);
        }

        var dotExecutable = FindDot(searchPath);
        if (dotExecutable is null)
        {
            return new RenderResult(
                null,
                $"Graphviz 'dot' was not found on PATH, so only {dotPath} was written. Install Graphviz (Debian/Ubuntu: apt-get install graphviz) "
                    + $"and run: dot -Tsvg \"{dotPath}\" -o \"{svgPath}\""
            );
        }

        var start = new ProcessStartInfo(dotExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-Tsvg");
        start.ArgumentList.Add(dotPath);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {dotExecutable}");
        // Both streams are drained concurrently so a large graph cannot fill one pipe and stall dot.
        var svg = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{dotExecutable} -Tsvg {dotPath} did not finish within {Timeout.TotalSeconds:0} s"
            );
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{dotExecutable} -Tsvg {dotPath} failed (exit code {process.ExitCode}): {errors.Result.Trim()}"
            );
        }

        AtomicFile.WriteAllText(svgPath, svg.Result);
        return new RenderResult(svgPath, $"rendered {svgPath} with {dotExecutable}");
    }
}
