using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nsmt.Core;
using Nsmt.Pipeline.Hashing;

namespace Nsmt.Pipeline.State;

/// <summary>
/// Outputs of past runs, content-addressed: <c>objects/ab/cdef...</c> holds each distinct file once, and
/// <c>runs/FINGERPRINT</c> lists which files made up each output of the run with that fingerprint. Flipping a
/// parameter back finds the old fingerprint here and restores its outputs without running the stage.
/// Files are copied in and out (never hard-linked), so editing a workspace file can never damage the cache,
/// and every restored byte is checked against its hash while it is copied.
/// </summary>
public sealed class RunCache(string directory)
{
    public string Directory { get; } = directory;

    public bool Contains(string fingerprint) => File.Exists(ManifestPath(fingerprint));

    /// <summary>Stores a run's outputs (read from <paramref name="outputs"/>) under its fingerprint.</summary>
    public void Store(string fingerprint, IReadOnlyList<(PathHash Hash, string FullPath)> outputs)
    {
        var manifest = new StringBuilder("# nsmt pipeline run v1\n");
        foreach (var (hash, full) in outputs)
        {
            manifest
                .Append("out\t")
                .Append(hash.Kind == PathKind.Directory ? "dir" : "file")
                .Append('\t')
                .Append(hash.Hash)
                .Append('\t')
                .Append(hash.Path)
                .Append('\n');
            foreach (var f in hash.Files)
            {
                var source = f.RelativePath.Length == 0 ? full : Path.Combine(full, f.RelativePath);
                var obj = ObjectPath(f.Hash);
                if (!File.Exists(obj))
                {
                    AtomicFile.Write(obj, target =>
                    {
                        using var input = File.OpenRead(source);
                        input.CopyTo(target);
                    });
                }

                manifest
                    .Append("file\t")
                    .Append(f.Hash)
                    .Append('\t')
                    .Append(f.Size.ToString(CultureInfo.InvariantCulture))
                    .Append('\t')
                    .Append(f.RelativePath)
                    .Append('\n');
            }
        }

        AtomicFile.WriteAllText(ManifestPath(fingerprint), manifest.ToString());
    }

    /// <summary>
    /// Recreates the outputs of the run with <paramref name="fingerprint"/> under <paramref name="destination"/>
    /// (each at destination(path)). Returns null, and forgets the run, when an object is missing or damaged.
    /// </summary>
    public IReadOnlyList<PathHash>? TryRestore(string fingerprint, Func<string, string> destination)
    {
        var manifestPath = ManifestPath(fingerprint);
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        var restored = new List<PathHash>();
        string? outPath = null,
            outKind = null,
            outHash = null;
        var files = new List<FileHash>();
        void Finish()
        {
            if (outPath is not null)
            {
                var kind = outKind == "dir" ? PathKind.Directory : PathKind.File;
                if (kind == PathKind.Directory)
                {
                    System.IO.Directory.CreateDirectory(destination(outPath));
                }

                restored.Add(new PathHash(outPath, kind, outHash!, files.ToList()));
                files.Clear();
            }
        }

        try
        {
            foreach (var line in File.ReadLines(manifestPath))
            {
                if (line.StartsWith('#'))
                {
                    continue;
                }

                var f = line.Split('\t');
                if (f[0] == "out")
                {
                    Finish();
                    (outKind, outHash, outPath) = (f[1], f[2], f[3]);
                }
                else
                {
                    var hash = f[1];
                    var size = long.Parse(f[2], CultureInfo.InvariantCulture);
                    var target = f[3].Length == 0 ? destination(outPath!) : Path.Combine(destination(outPath!), f[3]);
                    if (!CopyVerified(ObjectPath(hash), target, hash))
                    {
                        Forget(fingerprint);
                        return null;
                    }

                    files.Add(new FileHash(f[3], size, hash));
                }
            }

            Finish();
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            Forget(fingerprint);
            return null;
        }

        // The listing hash must match too: a damaged manifest must not restore a different set of files.
        foreach (var r in restored)
        {
            var listing = r.Kind == PathKind.Directory ? ContentHasher.HashListing(r.Files) : r.Files.Single().Hash;
            if (listing != r.Hash)
            {
                Forget(fingerprint);
                return null;
            }
        }

        return restored;
    }

    public void Forget(string fingerprint) => File.Delete(ManifestPath(fingerprint));

    private string ManifestPath(string fingerprint) => Path.Combine(Directory, "runs", fingerprint);

    private string ObjectPath(string hash) => Path.Combine(Directory, "objects", hash[..2], hash[2..]);

    private static bool CopyVerified(string source, string target, string expectedHash)
    {
        if (!File.Exists(source))
        {
            return false;
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ContentHasher.BlockSize);
        try
        {
            using var input = new FileStream(
                source,
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read,
                1,
                FileOptions.SequentialScan
            );
            using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            int read;
            while ((read = input.Read(buffer, 0, ContentHasher.BlockSize)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset()) == expectedHash;
    }
}
