using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nsmt.Plots;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>
/// The report's view of a sweep: training runs named <c>BASE.trial-HASH</c> (the pipeline's sweep trials) grouped per
/// base experiment, as a table best first (by val/acc_best) of the configuration keys whose values differ between
/// trials, and a scatter of the score against each numeric swept key. Built from the runs alone (their resolved
/// config.yaml and summary.json), so it depends only on the Report stage's inputs.
/// </summary>
public static partial class SweepSection
{
    private const string Score = "val/acc_best";

    public static void Add(HtmlReport report, IEnumerable<string> runs)
    {
        var trials = runs.Where(Directory.Exists)
            .Select(r => (Run: r, Match: TrialName().Match(Path.GetFileName(Path.TrimEndingDirectorySeparator(r)))))
            .Where(t => t.Match.Success)
            .GroupBy(t => t.Match.Groups[1].Value, t => t.Run);
        foreach (var group in trials.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            AddSweep(report, group.Key, [.. group]);
        }
    }

    private static void AddSweep(HtmlReport report, string baseExperiment, List<string> runs)
    {
        var rows = runs.Select(r =>
                (
                    Name: Path.GetFileName(Path.TrimEndingDirectorySeparator(r)),
                    Config: FlatConfig(RunDirectory.Existing(r).ConfigFile),
                    Score: ReadScore(r)
                )
            )
            .OrderByDescending(r => r.Score ?? double.NegativeInfinity)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        // The swept keys are those whose values differ, less the run's own name (task_name, choices.experiment) and
        // the keys a swapped group file brings along (model.net.* follows from choices.model).
        string Value(Dictionary<string, string> config, string key) => config.GetValueOrDefault(key, "");
        var varying = rows.SelectMany(r => r.Config.Keys)
            .Distinct()
            .Where(k => k is not "task_name" and not "choices.experiment")
            .Where(k => rows.Select(r => Value(r.Config, k)).Distinct().Count() > 1)
            .ToList();
        bool FollowsFromGroup(string key) =>
            !key.StartsWith("choices.", StringComparison.Ordinal)
            && varying.Contains($"choices.{key.Split('.')[0]}")
            && rows.GroupBy(r => Value(r.Config, $"choices.{key.Split('.')[0]}"))
                .All(g => g.Select(r => Value(r.Config, key)).Distinct().Count() == 1);
        var keys = varying
            .Where(k => !FollowsFromGroup(k))
            .OrderBy(k => k.Count(c => c == '.'))
            .ThenBy(k => k, StringComparer.Ordinal)
            .Take(8)
            .ToList();
        report.Heading($"Sweep over {baseExperiment}: {rows.Count} trials, best first");
        report.Table(
            ["rank", "trial", .. keys, Score],
            rows.Select(
                (r, i) =>
                    (IReadOnlyList<string>)
                        [
                            (i + 1).ToString(CultureInfo.InvariantCulture),
                            r.Name,
                            .. keys.Select(k => r.Config.GetValueOrDefault(k, "")),
                            r.Score?.ToString("G4", CultureInfo.InvariantCulture) ?? "missing",
                        ]
            )
        );

        var numeric = keys.Where(k =>
                rows.All(r =>
                    double.TryParse(
                        r.Config.GetValueOrDefault(k),
                        NumberStyles.Float,
                        CultureInfo.InvariantCulture,
                        out _
                    )
                )
            )
            .ToList();
        if (numeric.Count == 0 || rows.All(r => r.Score is null))
        {
            return;
        }

        var figure = new Figure(Math.Min(2, numeric.Count), numeric.Count == 1 ? 720 : 480, 300);
        foreach (var key in numeric.Take(4))
        {
            double X(string text) => double.Parse(text, CultureInfo.InvariantCulture);
            var xs = rows.Select(r => X(r.Config[key])).ToList();
            var log = xs.Min() > 0 && xs.Max() / xs.Min() >= 10;
            var chart = new LineChart
            {
                Title = $"{Score} against {key}",
                XLabel = key,
                YLabel = Score,
                XScale = log ? AxisScale.Log : AxisScale.Linear,
            };
            // One colour per combination of the other swept keys (e.g. the model), points only.
            var others = keys.Where(k => k != key).ToList();
            var i = 0;
            foreach (
                var series in rows.Where(r => r.Score is not null)
                    .GroupBy(r => string.Join(" ", others.Select(k => $"{k}={r.Config.GetValueOrDefault(k, "")}")))
            )
            {
                var points = series.OrderBy(r => X(r.Config[key])).ToList();
                chart.Add(
                    series.Key.Length == 0 ? "trials" : series.Key,
                    [.. points.Select(p => X(p.Config[key]))],
                    [.. points.Select(p => p.Score!.Value)],
                    Palette.At(i++),
                    width: 0,
                    markers: true
                );
            }

            figure.Add(chart);
        }

        report.Svg(figure.ToSvg(), $"Sweep over {baseExperiment}: {Score} of each trial against the swept values");
    }

    private static double? ReadScore(string run)
    {
        var file = RunDirectory.Existing(run).SummaryJson;
        if (!File.Exists(file))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return
            doc.RootElement.TryGetProperty("bests", out var bests)
            && bests.TryGetProperty(Score, out var v)
            && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : null;
    }

    /// <summary>A resolved config.yaml (block mappings of scalars, as the trainer writes it) as dotted keys.</summary>
    internal static Dictionary<string, string> FlatConfig(string file)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return result;
        }

        var path = new List<(int Indent, string Key)>();
        foreach (var line in File.ReadLines(file))
        {
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#') || trimmed.StartsWith('-'))
            {
                continue;
            }

            int indent = line.Length - trimmed.Length,
                colon = trimmed.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            while (path.Count > 0 && path[^1].Indent >= indent)
            {
                path.RemoveAt(path.Count - 1);
            }

            string key = trimmed[..colon].Trim(),
                value = trimmed[(colon + 1)..].Trim();
            var full = string.Join('.', path.Select(p => p.Key).Append(key));
            if (value.Length == 0)
            {
                path.Add((indent, key));
            }
            else
            {
                result[full] = value.Trim('"', '\'');
            }
        }

        return result;
    }

    /// <summary>Whether a run folder's name is a sweep trial's (BASE.trial-HASH).</summary>
    internal static bool IsTrial(string name) => TrialName().IsMatch(name);

    [GeneratedRegex(@"^(.+)\.trial-[0-9a-f]{8}$")]
    private static partial Regex TrialName();
}
