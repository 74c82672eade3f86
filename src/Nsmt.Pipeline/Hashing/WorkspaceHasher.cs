using System.Collections.Concurrent;

namespace Nsmt.Pipeline.Hashing;

public enum PathKind
{
    Missing,
    File,
    Directory,
}

/// <summary>One file of a hashed path; for a single file its <see cref="RelativePath"/> is empty.</summary>
public sealed record FileHash(string RelativePath, long Size, string Hash);

/// <summary>The content hash of a workspace path: a file's SHA-256, or a directory's listing hash.</summary>
public sealed record PathHash(string Path, PathKind Kind, string Hash, IReadOnlyList<FileHash> Files)
{
    public int FileCount => Files.Count;

    public long Bytes => Files.Sum(f => f.Size);
}

/// <summary>
/// Hashes workspace paths through the <see cref="StatCache"/>; files it has to read are hashed in parallel.
/// </summary>
public sealed class WorkspaceHasher(string root, StatCache statCache)
{
    private long _filesRead;
    private long _bytesRead;

    public string Root { get; } = root;

    public StatCache StatCache { get; } = statCache;

    /// <summary>Files actually read (stat cache misses) since creation: what the stat cache saved is visible in tests.</summary>
    public long FilesRead => Interlocked.Read(ref _filesRead);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public PathHash Hash(string relativePath) =>
        HashAt(relativePath, WorkspacePath.ToFull(Root, relativePath), cacheKeyPrefix: relativePath);

    /// <summary>Hashes a path outside its workspace location (a stage's temporary output) without using the stat cache.</summary>
    public PathHash HashUncached(string displayPath, string fullPath) =>
        HashAt(displayPath, fullPath, cacheKeyPrefix: null);

    private PathHash HashAt(string displayPath, string fullPath, string? cacheKeyPrefix)
    {
        var stat = FileStats.Get(fullPath);
        if (!stat.Exists)
        {
            return new PathHash(displayPath, PathKind.Missing, string.Empty, []);
        }

        if (!stat.IsDirectory)
        {
            var hash = HashFile(fullPath, stat, cacheKeyPrefix);
            return new PathHash(displayPath, PathKind.File, hash, [new FileHash(string.Empty, stat.Size, hash)]);
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
        };
        var relative = Directory
            .EnumerateFiles(fullPath, "*", options)
            .Select(f => Path.GetRelativePath(fullPath, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var files = new FileHash[relative.Length];
        var misses = new ConcurrentQueue<int>();
        var stats = new FileStat[relative.Length];
        for (var i = 0; i < relative.Length; i++)
        {
            var full = Path.Combine(fullPath, relative[i]);
            stats[i] = FileStats.Get(full);
            if (
                cacheKeyPrefix is not null
                && StatCache.TryGet(cacheKeyPrefix + "/" + relative[i], stats[i], out var hit)
            )
            {
                files[i] = new FileHash(relative[i], stats[i].Size, hit);
            }
            else
            {
                misses.Enqueue(i);
            }
        }

        Parallel.ForEach(misses, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var full = Path.Combine(fullPath, relative[i]);
            var key = cacheKeyPrefix is null ? string.Empty : cacheKeyPrefix + "/" + relative[i];
            files[i] = new FileHash(
                relative[i],
                stats[i].Size,
                HashFile(full, stats[i], cacheKeyPrefix is null ? null : key, lookedUp: true)
            );
        });

        return new PathHash(displayPath, PathKind.Directory, ContentHasher.HashListing(files), files);
    }

    private string HashFile(string fullPath, FileStat stat, string? cacheKey, bool lookedUp = false)
    {
        if (cacheKey is not null && !lookedUp && StatCache.TryGet(cacheKey, stat, out var hit))
        {
            return hit;
        }

        var started = StatCache.NowNs();
        var hash = ContentHasher.HashFile(fullPath);
        Interlocked.Increment(ref _filesRead);
        Interlocked.Add(ref _bytesRead, stat.Size);
        if (cacheKey is not null)
        {
            // Stat again: the entry must describe the file as it was read, not as it was listed.
            var after = FileStats.Get(fullPath);
            if (after == stat)
            {
                StatCache.Put(cacheKey, after, hash, started);
            }
        }

        return hash;
    }
}
