using System.Globalization;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Features;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Report.Tests;

/// <summary>
/// The report's model-inputs section (issue 27): which images and auxiliary scalars each model uses, the features'
/// distributions, and the accuracy with and without them when the report holds both runs of one experiment.
/// </summary>
public sealed class InputsSectionTests : IDisposable
{
    private readonly string _root = Path.Combine(
        Path.GetTempPath(),
        "nsmt-inputs-report-" + Guid.NewGuid().ToString("N")
    );

    private string Dataset(params string[] overrides)
    {
        var config = GeneratorConfig.Load(
            Path.Combine(AppContext.BaseDirectory, "configs", "simple_saw.yaml"),
            ["dataset.size=40", .. overrides]
        );
        var directory = Path.Combine(_root, "data", config.DatasetName);
        DatasetGenerator.Generate(
            config,
            new GenerationOptions
            {
                OutputDirectory = directory,
                WriteReports = false,
                MaxDegreeOfParallelism = 1,
            }
        );
        return directory;
    }

    private string Run(string name, string dataset, string features, int seed, double velocity, double decay)
    {
        var run = Path.Combine(_root, "runs", name);
        Directory.CreateDirectory(run);
        File.WriteAllText(
            Path.Combine(run, "config.yaml"),
            $"data:\n  dir: data/{Path.GetFileName(dataset)}\n  batch_size: 32\n{features}model:\n  net:\n    architecture: simple_cnn\n"
                + $"task_name: {name}\ntags: [velocity]\nseed: {seed.ToString(CultureInfo.InvariantCulture)}\nchoices:\n  experiment: {name}\n  model: cnn_tiny\n"
        );
        File.WriteAllText(
            Path.Combine(run, "summary.json"),
            string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"epochs\": 12, \"bests\": {{\"val/acc_best\": 0.9, \"val/note_velocity_acc_best\": {velocity}, \"val/log10_decay_time_acc_best\": {decay}}}}}"
            )
        );
        return run;
    }

    [Fact]
    public void Auxiliary_runs_show_their_inputs_feature_distributions_and_accuracy_with_and_without()
    {
        var minMax = Dataset();
        var both = Dataset("generate.level=both");
        string[] runs =
        [
            Run("level", minMax, "  auxiliary_features: [rms_db, decay_time]\n", 12345, 0.966, 0.931),
            Run("level_without", minMax, "  auxiliary_features: []\n", 12345, 0.332, 0.901),
            Run("level_other_seed", minMax, "", 7, 0.1, 0.1), // another seed: not the control
            Run("two_channel", both, "", 12345, 0.95, 0.92),
        ];

        var html = File.ReadAllText(
            ReportBuilder.Build(
                new ReportRequest
                {
                    Output = Path.Combine(_root, "report"),
                    Runs = runs,
                    Datasets = [minMax, both],
                }
            )
        );

        Assert.Contains("Model inputs: images and auxiliary scalars", html);
        // Which images each model uses, in words: NSMT's min-max images, and the two-channel ones with their range.
        Assert.Contains("per-image min-max (NSMT&#39;s scaling: shape without level)", html);
        Assert.Contains(
            "32x32x2 [Gray, Gray_absolute], channel 0 per-image min-max (shape), channel 1 fixed -80..20 dB (level)",
            html
        );
        Assert.Contains("<td>rms_db, decay_time</td>", html);

        // One distribution per feature, from the dataset (train and test), with the registry's description.
        Assert.Contains("Auxiliary inputs of level", html);
        Assert.DoesNotContain("Auxiliary inputs of level_without", html);
        Assert.Contains("rms_db: distribution", html);
        Assert.Contains("decay_time: distribution", html);
        Assert.Contains(HtmlReportEncoded(AuxiliaryFeatures.Find("rms_db", "test").Description), html);

        // With against without: the control is the same config and seed, not the run with another seed.
        Assert.Contains("level against level_without (seed 12345", html);
        Assert.Contains("<td>note_<wbr>velocity</td><td>0.966</td><td>0.332</td><td>+0.634</td>", html);
        Assert.Contains("<td>log10_<wbr>decay_<wbr>time</td><td>0.931</td><td>0.901</td><td>+0.030</td>", html);
    }

    [Fact]
    public void An_auxiliary_run_without_its_control_says_how_to_make_one()
    {
        var minMax = Dataset();
        string[] runs = [Run("level", minMax, "  auxiliary_features: [rms_db]\n", 12345, 0.9, 0.9)];
        var control = InputsSection.Control(
            SpectralExperiment.Gather(new ReportRequest { Output = _root, Runs = runs })[0],
            SpectralExperiment.Gather(new ReportRequest { Output = _root, Runs = runs })
        );
        Assert.Null(control);

        var html = File.ReadAllText(
            ReportBuilder.Build(new ReportRequest { Output = Path.Combine(_root, "report"), Runs = runs })
        );
        Assert.Contains("No run without auxiliary inputs of the same config, seed and data", html);
        Assert.Contains("dataset not in this report", html);
    }

    private static string HtmlReportEncoded(string text) => Nsmt.Plots.HtmlReport.Encode(text);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
