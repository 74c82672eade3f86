using System.Runtime.CompilerServices;
using System.Text;

namespace Nsmt.Tests.Snapshots;

/// <summary>
/// Snapshot assertions with Verify's file conventions: the expected text lives in
/// <c>{SourceFile}.{Test}[.{name}].verified.{ext}</c> next to the test's source file and is committed; on a
/// mismatch the actual text is written to the matching <c>.received.{ext}</c> (git-ignored) and the test fails with
/// the first differing line and the command that accepts it. Text is scrubbed first (<see cref="SnapshotSettings"/>).
/// Set NSMT_ACCEPT_SNAPSHOTS=1 to accept every received snapshot in one run.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "NSMT_ACCEPT_SNAPSHOTS";

    public static void Verify(
        string actual,
        SnapshotSettings? settings = null,
        string extension = "txt",
        string? name = null,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string member = ""
    )
    {
        settings ??= new SnapshotSettings();
        var scrubbed = Normalize(Scrubber.Apply(actual, settings));
        var directory = Path.GetDirectoryName(SourceLocator.Resolve(sourceFile))!;
        var stem = Path.Combine(
            directory,
            $"{Path.GetFileNameWithoutExtension(sourceFile)}.{member}{(name is null ? string.Empty : "." + name)}"
        );
        var verified = $"{stem}.verified.{extension}";
        var received = $"{stem}.received.{extension}";

        var expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == scrubbed)
        {
            File.Delete(received);
            return;
        }

        if (settings.Accept ?? Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, scrubbed, new UTF8Encoding(false));
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, scrubbed, new UTF8Encoding(false));
        var what = expected is null
            ? $"no verified snapshot {verified}"
            : $"snapshot mismatch: {FirstDifference(expected, scrubbed)}";
        throw new SnapshotMismatchException(
            $"{what}\nreceived: {received}\naccept with: mv '{received}' '{verified}' (or rerun with {AcceptVariable}=1)"
        );
    }

    /// <summary>Newlines as \n and exactly one trailing newline, so editors and platforms do not matter.</summary>
    private static string Normalize(string text)
    {
        var t = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        return t + "\n";
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}\n  expected: {el}\n  received: {al}";
            }
        }

        return "(same lines)";
    }
}

internal sealed class SnapshotMismatchException(string message) : Exception(message);
