using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nsmt.Core;

/// <summary>
/// Writes files so that readers see either the old content or the complete new content, never a partial file: the
/// data goes to a temporary file in the same directory (same file system, so the rename is atomic), is flushed to
/// disk, and is then renamed over the target. A failed write leaves the old file untouched and removes the temporary.
/// A device, FIFO or socket (say <c>-o /dev/null</c>) is never renamed over, which would replace the node itself with a
/// regular file: it is written in place, as a shell redirection would. A directory is refused.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writeContent);
        var fullPath = Path.GetFullPath(path);
        switch (FileKinds.Of(fullPath))
        {
            case FileKind.Directory:
                throw new NsmtInputException(fullPath, "output", "is a directory; expected a file name");
            case FileKind.Special:
                WriteInPlace(fullPath, writeContent);
                return;
        }

        var directory = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(directory);
        // The process id tells a person which run left a temporary behind after a kill; the GUID keeps concurrent
        // writers of one file (threads, or processes sharing a workspace) from colliding.
        var temporary = Path.Combine(
            directory,
            $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}"
        );
        try
        {
            using (
                var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)
            )
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>No temporary and no rename: a device or FIFO takes the bytes as they come (nothing to truncate).</summary>
    private static void WriteInPlace(string fullPath, Action<Stream> writeContent)
    {
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
        writeContent(stream);
        stream.Flush();
    }

    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Whether a file name is one of our temporaries (".NAME.PID.GUID.tmp"): what a killed writer leaves behind, so a
    /// folder's owner may sweep it and a check of a folder's contents may ignore it.
    /// </summary>
    public static bool IsTemporaryName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.StartsWith('.') || !fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = fileName[..^TemporarySuffix.Length].Split('.');
        return parts.Length >= 4
            && parts[^1].Length == 32
            && parts[^1].All(char.IsAsciiHexDigitLower)
            && parts[^2].Length > 0
            && parts[^2].All(char.IsAsciiDigit);
    }

    /// <summary>
    /// Deletes our temporaries in <paramref name="directory"/> whose writer is no longer running (killed before it
    /// could clean up); returns how many. Only for a folder the caller owns: files of other programs are never touched.
    /// </summary>
    public static int SweepStaleTemporaries(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var swept = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "." + "*" + TemporarySuffix))
        {
            var name = Path.GetFileName(path);
            if (
                IsTemporaryName(name)
                && !(
                    int.TryParse(name.Split('.')[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var writer)
                    && IsRunning(writer)
                )
            )
            {
                TryDelete(path);
                swept += File.Exists(path) ? 0 : 1;
            }
        }

        return swept;
    }

    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>UTF-8 without a byte-order mark (what every text format we write expects).</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, Utf8.GetBytes(text));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException) { }
    }
}
