using System.Diagnostics;

namespace Nsmt.Report.Tests;

/// <summary>Runs headless Chromium once (its own profile directory, so parallel runs never share a lock).</summary>
internal static class Chromium
{
    /// <summary>Debian's chromium (or Ubuntu's, or Chrome) on PATH, else at its usual place; null when there is none.</summary>
    public static string? Find()
    {
        string[] names = ["chromium", "chromium-browser", "google-chrome"];
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin");
        return directories.SelectMany(d => names.Select(n => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    }

    public static string Require() =>
        Find()
        ?? throw new InvalidOperationException(
            "chromium is not installed: build/setup.sh installs it (apt-get install -y chromium)"
        );

    /// <summary>Runs chromium with the given arguments and returns (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> Run(
        IEnumerable<string> arguments,
        TimeSpan timeout
    )
    {
        var profile = Path.Combine(Path.GetTempPath(), "nsmt-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Require()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var arg in new[]
            {
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--mute-audio",
                "--hide-scrollbars",
                $"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
            }.Concat(arguments)
        )
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(
                    $"chromium did not finish within {timeout.TotalSeconds:0} s: {await stderr}"
                );
            }

            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The page's console messages in chromium's stderr log ("...:CONSOLE(line)] message").</summary>
    public static IReadOnlyList<string> ConsoleLines(string stderr) =>
        stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
}
