using System.Runtime.InteropServices;
using System.Text;

namespace Nsmt.Pipeline.Hashing;

/// <summary>What the stat cache compares: when all of these are unchanged, the content is assumed unchanged.</summary>
public readonly record struct FileStat(
    bool Exists,
    bool IsDirectory,
    long Size,
    long MtimeNs,
    long CtimeNs,
    ulong Inode
)
{
    public static FileStat Missing => new(false, false, 0, 0, 0, 0);
}

/// <summary>
/// Linux statx(2) for inode and nanosecond ctime/mtime, which FileInfo does not expose (ctime changes on every
/// write and rename, so a file rewritten with the same size and an mtime set back is still noticed).
/// Falls back to size and mtime elsewhere.
/// </summary>
public static unsafe class FileStats
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    private const int ModeOffset = 28;
    private const int InodeOffset = 32;
    private const int SizeOffset = 40;
    private const int CtimeOffset = 96;
    private const int MtimeOffset = 112;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int Enoent = 2;
    private const int Enotdir = 20;

    private static bool StatxUnavailable = !OperatingSystem.IsLinux();

    public static FileStat Get(string fullPath)
    {
        if (!StatxUnavailable)
        {
            try
            {
                return GetWithStatx(fullPath);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                StatxUnavailable = true;
            }
        }

        return GetPortable(fullPath);
    }

    private static FileStat GetWithStatx(string fullPath)
    {
        var byteCount = Encoding.UTF8.GetByteCount(fullPath);
        var path = byteCount < 1024 ? stackalloc byte[byteCount + 1] : new byte[byteCount + 1];
        Encoding.UTF8.GetBytes(fullPath, path);
        path[byteCount] = 0;
        var buffer = stackalloc byte[StatxBufferSize];
        int rc;
        fixed (byte* p = path)
        {
            rc = Statx(AtFdCwd, p, 0, StatxBasicStats, buffer);
        }

        if (rc != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir)
            {
                return FileStat.Missing;
            }

            throw new IOException($"cannot stat {fullPath}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        int mode = *(ushort*)(buffer + ModeOffset);
        return new FileStat(
            Exists: true,
            IsDirectory: (mode & FileTypeMask) == DirectoryType,
            Size: *(long*)(buffer + SizeOffset),
            MtimeNs: Timestamp(buffer + MtimeOffset),
            CtimeNs: Timestamp(buffer + CtimeOffset),
            Inode: *(ulong*)(buffer + InodeOffset)
        );
    }

    private static long Timestamp(byte* at) => (*(long*)at * 1_000_000_000L) + *(uint*)(at + 8);

    private static FileStat GetPortable(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            return new FileStat(true, true, 0, 0, 0, 0);
        }

        var info = new FileInfo(fullPath);
        if (!info.Exists)
        {
            return FileStat.Missing;
        }

        var mtimeNs = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        return new FileStat(true, false, info.Length, mtimeNs, 0, 0);
    }

    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
}
