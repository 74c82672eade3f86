using System.Diagnostics;

namespace Nsmt.Tests.Shared;

/// <summary>
/// Device nodes and FIFOs made in a temporary folder, to check that an output path naming one is written into, never
/// replaced. The file type is read back with stat(1), independently of the code under test.
/// </summary>
public static class SpecialFiles
{
    /// <summary>A copy of /dev/null's node (character device 1,3); mknod needs root.</summary>
    public static string NullDevice(string directory, string name = "null")
    {
        var path = Path.Combine(directory, name);
        Run("mknod", path, "c", "1", "3");
        return path;
    }

    public static string Fifo(string directory, string name = "fifo")
    {
        var path = Path.Combine(directory, name);
        Run("mkfifo", path);
        return path;
    }

    /// <summary>stat(1)'s file type, e.g. "character special file", "fifo", "regular file".</summary>
    public static string TypeOf(string path) => Run("stat", "-c", "%F", path).Trim();

    public static bool IsRoot => Environment.UserName == "root";

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {error}"
            );
        }

        return output;
    }
}

/// <summary>A fact that needs root (mknod); CI runs the tests as root, elsewhere it is skipped with the reason.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!SpecialFiles.IsRoot)
        {
            Skip = "making a device node (mknod) needs root; CI runs the tests as root";
        }
    }
}
