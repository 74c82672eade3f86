using System.Text.RegularExpressions;

namespace Nsmt.Report.Tests;

/// <summary>The amp comparison table: models side by side only where they were scored on the same capture.</summary>
public sealed partial class AmpComparisonTests : IDisposable
{
    private const string CaptureA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string CaptureB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "nsmt-ampcompare-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>An amp evaluation folder as Amp evaluate writes it (metrics.json, only the keys the report reads).</summary>
    private string Evaluation(string name, string? capture, string architecture, string? preset, string widths)
    {
        var directory = Path.Combine(_root, "amp", "eval", name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(
            Path.Combine(directory, "metrics.json"),
            $$"""
            {"esr_nam": 0.01, "model": {"architecture": "{{architecture}}", "preset": {{(
                preset is null ? "null" : $"\"{preset}\""
            )}}},
             {{(capture is null ? "" : $"\"capture\": {{\"sha256\": \"{capture}\"}},")}}
             "widths": [{{widths}}]}
            """
        );
        return directory;
    }

    private static string Width(string preset, double from, double? below, int weights, double esr, double rtf) =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $$"""{"size_from": {{from}}, "size_below": {{(below is { } b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}}, "preset": "{{preset}}", "parameters": {{weights}}, "esr_nam": {{esr}}, "real_time_factor": {{rtf}}}"""
        );

    /// <summary>The main job's A1 evaluation on capture A.</summary>
    private string FirstAmp() =>
        Evaluation("first_amp", CaptureA, "WaveNet", "A1 standard", Width("A1 standard", 1, null, 13802, 0.0123, 9.1));

    private string Build(params string[] amp) =>
        File.ReadAllText(ReportBuilder.Build(new ReportRequest { Output = Path.Combine(_root, "report"), Amp = amp }));

    [Fact]
    public void A1_and_both_A2_widths_on_one_capture_share_a_table_and_other_captures_get_their_own()
    {
        var html = Build(
            FirstAmp(),
            Evaluation(
                "first_a2",
                CaptureA,
                "SlimmableContainer",
                "A2-Full",
                Width("A2-Lite", 0, 0.5, 1871, 0.0654, 13.2) + "," + Width("A2-Full", 0.5, null, 12146, 0.00543, 7.4)
            ),
            // Same experiment family, another capture (the amp at other settings): never in the first table.
            Evaluation("lstm", CaptureB, "LSTM", "LSTM standard", Width("LSTM standard", 1, null, 2569, 0.02, 30))
        );

        var start = html.IndexOf("id=\"amp-comparison\"", StringComparison.Ordinal);
        Assert.True(start > 0, "no comparison section");
        var tables = TableRegex().Matches(html[start..]).Take(2).Select(m => m.Value).ToList();
        Assert.Equal(2, tables.Count);
        var rows = Rows(tables[0]);
        Assert.Equal(
            [
                ["first_amp", "A1 standard", "all", "13,802", "0.0123", "not bad", "9.1x"],
                ["first_a2", "A2-Lite", "[0, 0.5)", "1,871", "0.0654", "might sound ok", "13.2x"],
                ["first_a2", "A2-Full", "[0.5, 1]", "12,146", "0.0054", "great", "7.4x"],
            ],
            rows
        );
        Assert.Contains("<b>0.0054</b>", tables[0], StringComparison.Ordinal); // the best ESR of the capture
        Assert.Equal(
            [
                ["lstm", "LSTM standard", "all", "2,569", "0.0200", "not bad", "30.0x"],
            ],
            Rows(tables[1])
        );
    }

    [Fact]
    public void One_model_alone_or_evaluations_without_a_capture_identity_make_no_table()
    {
        var one = Build(FirstAmp());
        Assert.DoesNotContain("id=\"amp-comparison\"", one, StringComparison.Ordinal);

        var old = Build(
            Evaluation("old_a", null, "WaveNet", null, Width("A1 standard", 1, null, 13802, 0.0123, 9.1)),
            Evaluation("old_b", null, "WaveNet", null, Width("A1 standard", 1, null, 13802, 0.0200, 9.1))
        );
        Assert.DoesNotContain("id=\"amp-comparison\"", old, StringComparison.Ordinal);
    }

    private static List<List<string>> Rows(string table) =>
        [
            .. RowRegex()
                .Matches(table)
                .Select(r =>
                    CellRegex().Matches(r.Value).Select(c => TagRegex().Replace(c.Groups[1].Value, "")).ToList()
                )
                .Where(cells => cells.Count > 0),
        ];

    [GeneratedRegex("<table.*?</table>", RegexOptions.Singleline)]
    private static partial Regex TableRegex();

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowRegex();

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellRegex();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagRegex();
}
