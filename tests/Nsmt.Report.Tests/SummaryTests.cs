using Nsmt.Runs;

namespace Nsmt.Report.Tests;

/// <summary>The summary's yardsticks and verdicts, and the per-step loss it reads back from TensorBoard.</summary>
public sealed class SummaryTests(RealisticInputs inputs) : IClassFixture<RealisticInputs>
{
    [Theory]
    [InlineData(0.004, "great")]
    [InlineData(0.0121, "not bad")]
    [InlineData(0.0479, "might sound ok")]
    [InlineData(0.2, "probably won't sound great")]
    [InlineData(0.5, "something went wrong")]
    public void Nam_grades_follow_the_spec(double esr, string grade) =>
        Assert.Equal(grade, Nsmt.Outputs.NamGrades.Of(esr));

    [Fact]
    public void The_next_grade_says_what_esr_it_needs()
    {
        Assert.Equal((0.01, "great"), Nsmt.Outputs.NamGrades.Next(0.0121));
        Assert.Null(Nsmt.Outputs.NamGrades.Next(0.005));
        Assert.Equal((0.3, "probably won't sound great"), Nsmt.Outputs.NamGrades.Next(0.9));
    }

    [Fact]
    public void Head_verdicts_weigh_accuracy_against_the_majority_class_and_pytorch()
    {
        var tiny = Baselines.PyTorchReference("cnn_tiny", "simple_saw_16384", "log10_decay_time");
        Assert.Equal(0.903, tiny!.Accuracy);
        Assert.Null(Baselines.PyTorchReference("cnn_tiny", "moog_basic", "log10_decay_time"));

        Assert.Equal((true, "matches PyTorch"), Verdict(0.896, 0.053, tiny));
        Assert.Equal((false, "below PyTorch"), Verdict(0.70, 0.053, tiny));
        Assert.Equal((false, "no better than always answering the most common class"), Verdict(0.06, 0.053, tiny));
        Assert.Equal(
            (true, "at the majority class, as PyTorch"),
            Verdict(0.515, 0.515, Baselines.PyTorchReference("cnn_tiny", "simple_saw_16384", "note_velocity"))
        );
        Assert.Equal((true, "no PyTorch reference"), Verdict(0.6, 0.1, null));

        static (bool, string) Verdict(double accuracy, double majority, Baselines.Reference? reference)
        {
            var (text, good) = SummarySection.HeadVerdict("h", accuracy, majority, reference);
            string[] phrases =
            [
                "matches PyTorch",
                "below PyTorch",
                "no better than always answering the most common class",
                "at the majority class, as PyTorch",
                "no PyTorch reference",
            ];
            return (good, phrases.First(p => text.Contains(p, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_summary_sets_the_headline_figures_beside_their_baselines_and_links_the_sections()
    {
        var html = File.ReadAllText(inputs.Index);
        var summary = html.IndexOf("<h2 id=\"summary\">", StringComparison.Ordinal);
        var contents = html.IndexOf("<h2 id=\"contents\">", StringComparison.Ordinal);
        Assert.True(summary > 0 && contents > summary, "the summary comes first, then the contents");
        var top = html[summary..contents];
        foreach (
            var text in new[]
            {
                "cnn_tiny (10,411 parameters) trained for 15 epochs on simple_saw_16384",
                "<b>0.896</b>",
                "0.053",
                "0.903",
                "0.042",
                "log10_decay_time: learned, matches PyTorch",
                "Verdict: cnn_tiny learned",
                "<b>0.0121</b>",
                "not bad",
                "&#39;great&#39; needs an ESR below 0.01",
            }
        )
        {
            Assert.Contains(text, top);
        }

        foreach (
            var anchor in new[]
            {
                "run-trivial-tiny-large",
                "eval-trivial-tiny-large",
                "dataset-simple-saw-64",
                "architecture-trivial-tiny-large",
                "amp-run-first-amp",
                "amp-first-amp",
            }
        )
        {
            Assert.Contains($"href=\"#{anchor}\"", html);
            Assert.Contains($"id=\"{anchor}\"", html);
        }

        Assert.DoesNotContain("architecture-missing", html); // a folder that is not there gets no section and no link
        var ids = System
            .Text.RegularExpressions.Regex.Matches(html, " id=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (
            var link in System
                .Text.RegularExpressions.Regex.Matches(html, "href=\"#([^\"]+)\"")
                .Select(m => m.Groups[1].Value)
                .Distinct()
        )
        {
            Assert.True(ids.Contains(link), $"a link to #{link}, which no element has as its id");
        }
    }

    [Fact]
    public void A_run_with_its_own_eval_folder_is_linked_there()
    {
        var run = Path.Combine(inputs.Root, "own-eval", "quick");
        Directory.CreateDirectory(Path.Combine(run, "eval"));
        File.WriteAllText(
            Path.Combine(run, "eval", "metrics.json"),
            "{\"test/acc\": 0.5, \"heads\": {\"a\": {\"accuracy\": 0.5, \"majority_baseline\": 0.25, \"num_classes\": 4}}}"
        );
        var index = ReportBuilder.Build(
            new ReportRequest { Output = Path.Combine(inputs.Root, "own-eval", "report"), Runs = [run] }
        );
        var html = File.ReadAllText(index);

        Assert.Contains("href=\"#eval-quick\"", html);
        Assert.Contains("<h3 id=\"eval-quick\">Evaluation (test split)</h3>", html);
        Assert.Contains("a: learned, 2.0x the majority class", html);
    }

    [Fact]
    public void The_page_embeds_the_clips_and_the_spectrogram_sheet_with_parameter_names()
    {
        var html = File.ReadAllText(inputs.Index);
        Assert.Equal(3, html.Split("<audio controls", StringSplitOptions.None).Length - 1);
        Assert.Contains("src=\"data:audio/wav;base64,UklGR", html); // "RIFF"
        Assert.Contains("note_velocity = ", html);
        Assert.Contains("log10_decay_time = ", html);
        Assert.DoesNotContain("P0=", html);
        Assert.Contains("Training loss per step", html);
        Assert.Contains("log10_decay_time: samples per class", html);
        Assert.True(
            new FileInfo(inputs.Index).Length < 2_000_000,
            $"the page is {new FileInfo(inputs.Index).Length} bytes"
        );
    }

    [Fact]
    public void Per_step_scalars_read_back_as_the_trainer_wrote_them()
    {
        var directory = Path.Combine(inputs.Root, "tb-roundtrip");
        using (var writer = new TensorBoardWriter(directory))
        {
            writer.AddScalar("train/loss_step", 2.5, 7);
            writer.AddScalar("val/loss", 9, 7);
            writer.AddScalar("train/loss_step", 1.25, 3);
            writer.AddHyperparameters(new Dictionary<string, object> { ["lr"] = 0.1 }, ["val/loss"]);
        }

        Assert.Equal([(3L, 1.25), (7L, 2.5)], TensorBoardScalars.Read(directory, "train/loss_step"));
        Assert.Empty(TensorBoardScalars.Read(Path.Combine(inputs.Root, "nowhere"), "train/loss_step"));
    }
}
