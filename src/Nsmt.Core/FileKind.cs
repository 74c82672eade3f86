using System.Runtime.InteropServices;

namespace Nsmt.Core;

/// <summary>What a path names, following symbolic links: whether an output may be replaced by renaming over it.</summary>
public enum FileKind
{
    Missing,
    RegularFile,
    Directory,

    /// <summary>A character or block device, FIFO or socket: renaming over it would destroy the node itself.</summary>
    Special,
}

/// <summary>
/// The file type from stat(2). FileInfo cannot tell a device or FIFO from a regular file, so this asks the runtime's own
/// native shim (System.Native ships with every .NET runtime on Linux and macOS and normalises the mode bits to one
/// layout: its FileStatus record starts with int32 flags, then int32 mode).
/// </summary>
public static partial class FileKinds
{
    private const int StatusBufferSize = 256; // larger than the runtime's FileStatus record on every platform
    private const int ModeOffset = 4;
    private const int TypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int RegularType = 0x8000;

    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows())
        {
            return Directory.Exists(path) ? FileKind.Directory
                : File.Exists(path) ? FileKind.RegularFile
                : FileKind.Missing;
        }

        Span<byte> status = stackalloc byte[StatusBufferSize];
        if (Stat(path, ref MemoryMarshal.GetReference(status)) != 0)
        {
            return FileKind.Missing; // absent, a broken link, or not searchable: nothing there to destroy
        }

        return (BitConverter.ToInt32(status[ModeOffset..]) & TypeMask) switch
        {
            RegularType => FileKind.RegularFile,
            DirectoryType => FileKind.Directory,
            _ => FileKind.Special,
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte status);
}
