using System.Globalization;
using System.Text.RegularExpressions;

namespace Nsmt.Tests.Snapshots;

/// <summary>The scrubbing steps of <see cref="Snapshot.Verify"/>, usable on their own.</summary>
internal static partial class Scrubber
{
    public static string Apply(string text, SnapshotSettings settings)
    {
        var paths = new List<(string Path, string Token)>(settings.Paths);
        if (settings.ScrubWellKnownPaths)
        {
            if (SourceLocator.RepositoryRoot is { } repo)
            {
                paths.Add((repo, "{repo}"));
            }

            paths.Add((Path.GetTempPath().TrimEnd('/'), "{temp}"));
        }

        var result = ReplacePaths(text, paths);
        if (settings.ScrubTimestamps)
        {
            result = Timestamp().Replace(result, "{timestamp}");
        }

        if (settings.ScrubDurations)
        {
            result = TimeSpanText().Replace(result, "{duration}");
            result = UnitDuration().Replace(result, "{duration}");
        }

        if (settings.ScrubGuids)
        {
            result = Guid().Replace(result, "{guid}");
        }

        if (settings.FloatDecimals is int decimals)
        {
            result = RoundFloats(result, decimals);
        }

        foreach (var scrub in settings.Scrubbers)
        {
            result = scrub(result);
        }

        return result;
    }

    public static string ReplacePaths(string text, IEnumerable<(string Path, string Token)> paths)
    {
        foreach (var (path, token) in paths.Where(p => p.Path.Length > 1).OrderByDescending(p => p.Path.Length))
        {
            text = text.Replace(path, token, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Rounds every decimal number (digits '.' digits, optional exponent) to <paramref name="decimals"/> places.</summary>
    public static string RoundFloats(string text, int decimals) =>
        Float()
            .Replace(text, m =>
            {
                var value = double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero)
                    .ToString("F" + decimals, CultureInfo.InvariantCulture);
                return rounded.StartsWith('-') && rounded.Trim('-', '0', '.').Length == 0 ? rounded[1..] : rounded;
            });

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b")]
    private static partial Regex TimeSpanText();

    [GeneratedRegex(@"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s|sec|seconds|min|minutes)\b")]
    private static partial Regex UnitDuration();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    [GeneratedRegex(@"(?<![\w.])-?\d+\.\d+([eE][-+]?\d+)?(?![\w.])")]
    private static partial Regex Float();
}
