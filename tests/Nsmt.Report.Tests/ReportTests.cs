using System.Diagnostics;
using System.Text.RegularExpressions;
using Nsmt.Plots;
using Nsmt.Runs;

namespace Nsmt.Report.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nsmt-report-" + Guid.NewGuid().ToString("N"));

    public ReportTests()
    {
        // A run with metrics and an evaluation, a diagram, an amp evaluation and a lock file: what the stages write.
        var run = Path.Combine(_root, "run");
        Directory.CreateDirectory(Path.Combine(run, "eval", "reconstruction"));
        var csv = new MetricsCsvLogger(Path.Combine(run, "metrics.csv"));
        for (var e = 0; e < 4; e++)
        {
            csv.Log(
                new Dictionary<string, double>
                {
                    ["train/loss"] = 3 - e * 0.5,
                    ["val/loss"] = 3.2 - e * 0.4,
                    ["val/a_acc"] = 0.2 + e * 0.1,
                    ["val/acc"] = 0.2 + e * 0.1,
                },
                e,
                e * 10 + 9
            );
        }

        File.WriteAllText(Path.Combine(run, "summary.json"), "{\"epochs\": 4, \"bests\": {\"val/acc_best\": 0.5}}");
        File.WriteAllText(
            Path.Combine(run, "eval", "metrics.json"),
            "{\"test/acc\": 0.5, \"heads\": {\"a\": {\"accuracy\": 0.5}}}"
        );
        new Figure()
            .Add(new Heatmap([1, 0, 0, 1], 2, 2) { RowLabels = ["x", "y"], ColumnLabels = ["x", "y"] })
            .Save(Path.Combine(run, "eval", "confusion_a.svg"));
        var diagram = Path.Combine(_root, "diagram");
        Directory.CreateDirectory(diagram);
        File.WriteAllText(
            Path.Combine(diagram, "summary.txt"),
            "Layer (type:depth-idx)   Output Shape   Param #\nTotal params: 10,411"
        );
        File.WriteAllText(
            Path.Combine(diagram, "model.svg"),
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"30\" height=\"10\"/></svg>"
        );
        var amp = Path.Combine(_root, "amp");
        Directory.CreateDirectory(amp);
        File.WriteAllText(Path.Combine(amp, "metrics.json"), "{\"esr\": 0.004, \"grade\": \"great\"}");
        new Figure().Add(new LineChart().Add("target", [0f, 1f, 0f], 0, 1)).Save(Path.Combine(amp, "waveform.svg"));
        File.WriteAllText(Path.Combine(_root, "pipeline.lock"), LockText("train", "abc123", "[dotnet, Train.dll]"));
        Index = ReportBuilder.Build(
            new ReportRequest
            {
                Output = Path.Combine(_root, "report"),
                Runs = [run],
                Diagrams = [diagram],
                Amp = [amp],
                Lock = Path.Combine(_root, "pipeline.lock"),
            }
        );
    }

    private string Index { get; }

    [Fact]
    public void Page_is_self_contained_with_every_section_inline()
    {
        var html = File.ReadAllText(Index);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<?xml", html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"https?://"), html);
        foreach (
            var text in new[]
            {
                "Training run run",
                "Evaluation (test split)",
                "confusion_a.svg",
                "Total params: 10,411",
                "Amp model vs the real amp",
                "grade",
                "great",
                "fingerprint: abc123",
            }
        )
        {
            Assert.Contains(text, html);
        }
    }

    [ChromiumFact]
    public async Task Headless_chromium_renders_it_without_console_errors_and_with_the_charts()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "chromium is not installed (build/setup.sh installs Debian's chromium)");
        var start = new ProcessStartInfo(chromium!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var arg in new[]
            {
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                new Uri(Index).AbsoluteUri,
            }
        )
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var dom = process.StandardOutput.ReadToEndAsync();
        var log = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        var console = (await log).Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        Assert.True(console.Count == 0, "console messages: " + string.Join("\n", console));
        // The rendered DOM: every figure is there (curves: 1 figure of 2 panels, confusion, diagram, amp waveform).
        var rendered = await dom;
        Assert.True(
            Regex.Matches(rendered, "<svg").Count >= 4,
            "expected at least 4 inline SVG figures in the rendered page"
        );
        Assert.Contains("<polyline", rendered);
        Assert.Contains("Provenance", rendered);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException) { }
    }

    /// <summary>A one-stage lock in the format LockFile writes (every field its reader requires).</summary>
    internal static string LockText(string stage, string fingerprint, string command) =>
        $"schema: 1\nstages:\n  {stage}:\n    fingerprint: {fingerprint}\n    cmd: {command}\n    code:\n      files: {{}}\n      packages: {{}}\n"
        + "    deps: {}\n    params: {}\n    seed: 0\n    tools: {}\n    outs: {}\n";

    [Theory]
    [InlineData("wav", "RIFF\u0004\u0000\u0000\u0000WAVEfmt secret-samples")]
    [InlineData("shadow", "root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n")]
    [InlineData("yaml", "password: hunter2\n")]
    [InlineData("half-a-lock", "schema: 1\nstages:\n  train:\n    fingerprint: abc123\n    secret: hunter2\n")]
    public void A_lock_that_is_not_a_pipeline_lock_is_refused_and_nothing_of_it_is_published(
        string name,
        string content
    )
    {
        var file = Path.Combine(_root, name);
        File.WriteAllText(file, content);
        var output = Path.Combine(_root, "refused-" + name);
        var error = Assert.Throws<Nsmt.Core.NsmtInputException>(() =>
            ReportBuilder.Build(new ReportRequest { Output = output, Lock = file })
        );
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("--lock", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void The_lock_is_published_as_its_reader_parsed_it_leaving_out_what_a_lock_does_not_hold()
    {
        var file = Path.Combine(_root, "extra.lock");
        File.WriteAllText(
            file,
            LockText("train", "abc123", "[dotnet, Train.dll]") + "comment: not part of a lock, hunter2\n"
        );
        var index = ReportBuilder.Build(new ReportRequest { Output = Path.Combine(_root, "extra"), Lock = file });
        var html = File.ReadAllText(index);
        Assert.Contains("fingerprint: abc123", html, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_lock_given_explicitly_is_refused()
    {
        var file = Path.Combine(_root, "none.lock");
        var error = Assert.Throws<Nsmt.Core.NsmtInputException>(() =>
            ReportBuilder.Build(new ReportRequest { Output = Path.Combine(_root, "none"), Lock = file })
        );
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
    }
}
