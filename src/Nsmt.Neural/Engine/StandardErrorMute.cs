using System.Runtime.InteropServices;

namespace Nsmt.Neural.Engine;

/// <summary>
/// Points file descriptor 2 at /dev/null until disposed, for a native call whose warning is already known (libtorch
/// writes its warnings to std::cerr, which .NET's Console.Error redirection does not reach). A no-op on Windows and
/// wherever the descriptors cannot be duplicated.
/// </summary>
internal sealed partial class StandardErrorMute : IDisposable
{
    private const int StandardError = 2;
    private readonly int _saved;

    private StandardErrorMute(int saved) => this._saved = saved;

    public static StandardErrorMute Begin()
    {
        if (OperatingSystem.IsWindows())
        {
            return new StandardErrorMute(-1);
        }
        // .NET's Console.Error duplicates descriptor 2 when first used: create it now, or it would write to /dev/null.
        Console.Error.Flush();
        var saved = dup(StandardError);
        var devNull =
            saved < 0
                ? -1
                : open(
                    "/dev/null",
                    1 /* O_WRONLY */
                );
        if (devNull < 0)
        {
            if (saved >= 0)
            {
                _ = close(saved);
            }

            return new StandardErrorMute(-1);
        }

        _ = dup2(devNull, StandardError);
        _ = close(devNull);
        return new StandardErrorMute(saved);
    }

    public void Dispose()
    {
        if (_saved < 0)
        {
            return;
        }

        _ = dup2(_saved, StandardError);
        _ = close(_saved);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int fd, int fd2);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);
}
