using System.Runtime.InteropServices;
using System.Text;

namespace Nsmt.Amp.Processing;

/// <summary>
/// Whether two paths name the same file: the same full path, a symbolic link to it, or (on Linux) a hard link,
/// which only the device and inode numbers reveal. Used to refuse an output that would replace an input.
/// </summary>
public static unsafe class FileIdentity
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    private const int InodeOffset = 32;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;

    private static bool StatxUnavailable = !OperatingSystem.IsLinux();

    public static bool SameFile(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (string.Equals(Resolve(first), Resolve(second), PathComparison))
        {
            return true;
        }

        // Different paths to one file need both to exist; a missing output cannot be an input.
        if (!File.Exists(first) || !File.Exists(second) || StatxUnavailable)
        {
            return false;
        }

        try
        {
            return Identity(first) is { } a && Identity(second) is { } b && a == b;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            StatxUnavailable = true;
            return false;
        }
    }

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;

    /// <summary>The full path with a final symbolic link (chain) followed.</summary>
    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a broken or looping link: compare the link itself
        }
    }

    /// <summary>(device major, device minor, inode) via statx(2), following symbolic links; null when it fails.</summary>
    private static (uint Major, uint Minor, ulong Inode)? Identity(string path)
    {
        var name = Encoding.UTF8.GetBytes(Path.GetFullPath(path) + "\0");
        var buffer = stackalloc byte[StatxBufferSize];
        int rc;
        fixed (byte* p = name)
        {
            rc = Statx(AtFdCwd, p, 0, StatxBasicStats, buffer);
        }

        return rc != 0
            ? null
            : (*(uint*)(buffer + DevMajorOffset), *(uint*)(buffer + DevMinorOffset), *(ulong*)(buffer + InodeOffset));
    }

    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
}
