using Nsmt.Plots;

namespace Nsmt.Report.Tests;

/// <summary>The report's sweep section, built from trial run folders alone.</summary>
public sealed class SweepSectionTests : IDisposable
{
    private readonly string _root = Path.Combine(
        Path.GetTempPath(),
        "nsmt-sweep-report-" + Guid.NewGuid().ToString("N")
    );

    private string Run(string name, string model, string lr, string convChannels, double? score)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(
            Path.Combine(dir, "config.yaml"),
            $"task_name: {name}\nchoices:\n  experiment: {name}\n  model: {model}\nmodel:\n  net:\n    conv1_channels: {convChannels}\n  optimizer:\n    lr: {lr}\nseed: 1\n"
        );
        if (score is { } s)
        {
            File.WriteAllText(
                Path.Combine(dir, "summary.json"),
                $"{{\"bests\": {{\"val/acc_best\": {s.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}"
            );
        }

        return dir;
    }

    [Fact]
    public void Trials_are_ranked_best_first_with_only_the_swept_keys_and_a_scatter_of_the_numeric_ones()
    {
        string[] runs =
        [
            Run("quick.trial-00000001", "cnn_micro", "1e-3", "8", 0.2),
            Run("quick.trial-00000002", "cnn_tiny", "1e-3", "16", 0.4),
            Run("quick.trial-00000003", "cnn_tiny", "1e-2", "16", null),
            Run("quick", "cnn_micro", "5e-3", "8", 0.9), // not a trial: stays out of the sweep table
        ];
        var report = new HtmlReport("t");
        SweepSection.Add(report, runs);
        var html = report.ToHtml();

        Assert.Contains("Sweep over quick: 3 trials, best first", html);
        var first = html.IndexOf("quick.trial-00000002", StringComparison.Ordinal);
        var second = html.IndexOf("quick.trial-00000001", StringComparison.Ordinal);
        var missing = html.IndexOf("quick.trial-00000003", StringComparison.Ordinal);
        Assert.True(first > 0 && first < second && second < missing, "best first, the trial without a score last");
        Assert.Contains("choices.model", html);
        Assert.Contains("model.optimizer.lr", html);
        Assert.DoesNotContain("conv1_channels", html); // follows from the model choice
        Assert.DoesNotContain("task_name", html);
        Assert.Contains("val/acc_best against model.optimizer.lr", html);
        Assert.DoesNotContain(">quick<", html);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
