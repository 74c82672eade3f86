using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Nsmt.Pipeline.Hashing;

/// <summary>
/// SHA-256 of file contents, as lowercase hex (the same digest <c>sha256sum</c> prints).
/// Reads in 1 MiB blocks with positional reads into a pooled buffer: with the CPU's SHA extensions the digest,
/// not the copy, is the bottleneck, and larger blocks or memory mapping measured no faster (bench/pipeline-hash).
/// </summary>
public static class ContentHasher
{
    public const int BlockSize = 1 << 20;

    public static string HashFile(string fullPath)
    {
        using var handle = File.OpenHandle(
            fullPath,
            FileMode.Open,
            FileAccess.Read,
            FileShare.Read,
            FileOptions.SequentialScan
        );
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer.AsSpan(0, BlockSize), offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string HashBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string HashText(string text) => HashBytes(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// A directory's hash: SHA-256 of its <c>sha256sum</c>-style listing ("HASH  relative/path\n" per file, paths
    /// sorted by ordinal byte order), so it changes when any file's bytes, name or presence change.
    /// </summary>
    public static string HashListing(IEnumerable<FileHash> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files)
        {
            sb.Append(f.Hash).Append("  ").Append(f.RelativePath).Append('\n');
        }

        return HashText(sb.ToString());
    }
}
