using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Nsmt.Core;

namespace Nsmt.Pipeline.Hashing;

/// <summary>
/// Remembers (path, size, mtime, ctime, inode) -> SHA-256 so an unchanged file is not read again. Stored as a small
/// tab-separated file under .cache/. A file modified within <see cref="RacyMarginNs"/> of being hashed is not
/// remembered (git's "racily clean" rule): a second write in the same timestamp tick would otherwise go unnoticed.
/// </summary>
public sealed class StatCache
{
    public const long RacyMarginNs = 1_000_000_000L;
    private const string Header = "# nsmt pipeline stat cache v1: sha256, size, mtime_ns, ctime_ns, inode, path";

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly string? _file;
    private int _dirty;

    private readonly long _racyMarginNs;

    private StatCache(string? file, long racyMarginNs)
    {
        _file = file;
        _racyMarginNs = racyMarginNs;
    }

    /// <summary>A cache that lives only in memory.</summary>
    public static StatCache InMemory(long racyMarginNs = RacyMarginNs) => new(null, racyMarginNs);

    public static StatCache Load(string file, long racyMarginNs = RacyMarginNs)
    {
        var cache = new StatCache(file, racyMarginNs);
        if (!File.Exists(file))
        {
            return cache;
        }

        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split('\t');
            // A damaged line is dropped: the cost is one re-hash, never a wrong hash.
            if (
                f.Length == 6
                && f[0].Length == 64
                && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                && long.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mtime)
                && long.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ctime)
                && ulong.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            )
            {
                cache._entries[f[5]] = new Entry(f[0], new FileStat(true, false, size, mtime, ctime, inode));
            }
        }

        return cache;
    }

    public int Count => _entries.Count;

    public bool TryGet(string relativePath, in FileStat stat, out string hash)
    {
        if (_entries.TryGetValue(relativePath, out var e) && e.Stat == stat)
        {
            hash = e.Hash;
            return true;
        }

        hash = string.Empty;
        return false;
    }

    /// <summary>Records a hash computed from a read that started at <paramref name="hashStartedNs"/> (Unix ns).</summary>
    public void Put(string relativePath, in FileStat stat, string hash, long hashStartedNs)
    {
        if (
            stat.MtimeNs >= hashStartedNs - _racyMarginNs
            || stat.CtimeNs >= hashStartedNs - _racyMarginNs
            || relativePath.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0
        )
        {
            _entries.TryRemove(relativePath, out _);
            return;
        }

        _entries[relativePath] = new Entry(hash, stat);
        Interlocked.Exchange(ref _dirty, 1);
    }

    public void Forget(string relativePathOrDirectory)
    {
        foreach (var key in _entries.Keys)
        {
            if (WorkspacePath.IsWithin(key, relativePathOrDirectory))
            {
                _entries.TryRemove(key, out _);
                Interlocked.Exchange(ref _dirty, 1);
            }
        }
    }

    public void Save()
    {
        if (_file is null || Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        var sb = new StringBuilder(Header).Append('\n');
        foreach (var (path, e) in _entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(e.Hash)
                .Append('\t')
                .Append(e.Stat.Size.ToString(CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(e.Stat.MtimeNs.ToString(CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(e.Stat.CtimeNs.ToString(CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(e.Stat.Inode.ToString(CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(path)
                .Append('\n');
        }

        AtomicFile.WriteAllText(_file, sb.ToString());
    }

    public static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private sealed record Entry(string Hash, FileStat Stat);
}
