using System.Text;
using System.Text.RegularExpressions;
using Nsmt.Core;
using Nsmt.Plots;

namespace Nsmt.Report.Tests;

/// <summary>A knob run folder, as the knob trainer writes it, in the report (Report --knob-runs).</summary>
public sealed class KnobSectionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nsmt-knobreport-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string KnobRun()
    {
        var run = Path.Combine(_root, "knobs");
        Directory.CreateDirectory(run);
        File.WriteAllText(
            Path.Combine(run, "knob_esr.csv"),
            "setting,gain_db,mid_db,held_out,validation_esr\n"
                + "\"gain_db=0,mid_db=-4\",0,-4,false,0.0523\n"
                + "\"gain_db=6,mid_db=0\",6,0,true,0.0357\n"
        );
        File.WriteAllText(
            Path.Combine(run, "summary.json"),
            "{\"epochs\": 5, \"worst_trained_esr\": 0.0797, \"worst_held_out_esr\": 0.0357, "
                + "\"trained\": [{\"setting\": \"gain_db=0,mid_db=-4\", \"esr\": 0.0523}]}"
        );
        new Figure { Title = "ESR heat map" }
            .Add(new Heatmap([0.05, 0.04], 1, 2) { ColumnLabels = ["0", "6"], RowLabels = ["-4"] })
            .Save(Path.Combine(run, "knob_esr.svg"));
        new Figure { Title = "Knob sweeps" }
            .Add(new LineChart().Add("level", [-20f, -15f, -12f], 0, 1))
            .Save(Path.Combine(run, "knob_sweep.svg"));
        File.WriteAllText(
            Path.Combine(run, "knob_sweep.json"),
            "[{\"knob\": \"gain_db\", \"others\": \"mid_db=0\", \"level_follows_amp\": true}]"
        );
        foreach (var setting in new[] { "gain_db_0_mid_db_m4", "gain_db_6_mid_db_0" })
        {
            var clips = Path.Combine(run, "clips", setting);
            Directory.CreateDirectory(clips);
            foreach (var clip in new[] { "clip_di.wav", "clip_amp.wav", "clip_model.wav" })
            {
                File.WriteAllBytes(Path.Combine(clips, clip), Wav());
            }
        }

        return run;
    }

    /// <summary>A 16-bit mono WAV of four samples.</summary>
    private static byte[] Wav()
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(Encoding.ASCII.GetBytes("RIFF"));
        w.Write(36 + 8);
        w.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(48_000);
        w.Write(96_000);
        w.Write((short)2);
        w.Write((short)16);
        w.Write(Encoding.ASCII.GetBytes("data"));
        w.Write(8);
        w.Write([0, 0, 1, 0, 2, 0, 3, 0]);
        w.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void The_summary_gives_a_knob_run_s_worst_trained_and_held_out_esr()
    {
        var html = File.ReadAllText(
            ReportBuilder.Build(new ReportRequest { Output = Path.Combine(_root, "report"), KnobRuns = [KnobRun()] })
        );
        var summary = html[
            html.IndexOf("<h2 id=\"summary\">", StringComparison.Ordinal)..html.IndexOf(
                "id=\"contents\"",
                StringComparison.Ordinal
            )
        ];
        Assert.DoesNotContain("Nothing was trained", summary, StringComparison.Ordinal);
        Assert.Contains("knobs: knob model", summary, StringComparison.Ordinal);
        Assert.Contains(
            "Worst validation ESR 0.0797 over the trained settings (might sound ok), 0.0357 over the held-out ones (might sound ok).",
            summary,
            StringComparison.Ordinal
        );
        Assert.Contains("href=\"#knobs-knobs\"", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_knob_run_shows_its_heat_map_clips_sweep_and_every_settings_esr()
    {
        var request = new ReportRequest { Output = Path.Combine(_root, "report"), KnobRuns = [KnobRun()] };
        ReportInputs.Check(request);
        var html = File.ReadAllText(ReportBuilder.Build(request));

        Assert.Contains("id=\"knobs-knobs\"", html, StringComparison.Ordinal);
        Assert.Contains("ESR heat map", html, StringComparison.Ordinal);
        Assert.Contains("Knob sweeps", html, StringComparison.Ordinal);
        // Two settings, each with the DI, the amp and the model.
        Assert.Equal(6, Regex.Matches(html, "<audio ").Count);
        Assert.Contains("Listen at gain_db_6_mid_db_0", html, StringComparison.Ordinal);
        Assert.Contains(
            "<td>gain_<wbr>db=6,mid_<wbr>db=0</td><td>true</td><td>0.0357</td>",
            html,
            StringComparison.Ordinal
        );
        Assert.Matches("worst_(<wbr>)?held_(<wbr>)?out_(<wbr>)?esr</td><td>0.0357</td>", html);
        Assert.DoesNotContain("trained[0]", html, StringComparison.Ordinal); // per-setting rows come from the table
    }

    [Fact]
    public void A_folder_that_is_no_knob_run_is_refused_by_name()
    {
        var notKnobs = Path.Combine(_root, "amp_run");
        Directory.CreateDirectory(notKnobs);
        var e = Assert.Throws<NsmtInputException>(() =>
            ReportInputs.Check(new ReportRequest { Output = _root, KnobRuns = [notKnobs] })
        );
        Assert.Contains("knob_esr.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("amp_run", e.Message, StringComparison.Ordinal);
    }
}
