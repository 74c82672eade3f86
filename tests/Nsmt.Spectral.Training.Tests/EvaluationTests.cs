using System.Text.Json;
using Nsmt.Audio;
using Nsmt.Runs;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Evaluation;

namespace Nsmt.Spectral.Training.Tests;

public class EvaluationTests(SmallDataset data) : IClassFixture<SmallDataset>
{
    [Fact]
    public void Audio_comparison_matches_numpy()
    {
        // tests/fixtures-gen/training/audio_comparison_golden.py
        const int n = 1000;
        var t = new float[n];
        var p = new float[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = (float)(Math.Sin(2 * Math.PI * 13 * i / n) + 0.3 * Math.Sin(2 * Math.PI * 71 * i / n));
            p[i] = (float)(0.8 * Math.Sin(2 * Math.PI * 13 * (i - 5) / n) + 0.1 * Math.Cos(2 * Math.PI * 29 * i / n));
        }
        var c = AudioComparison.Compute(t, p);
        Assert.Equal(0.1357962991418249, c.Mse, 9);
        Assert.Equal(0.368505494045645, c.Rmse, 9);
        Assert.Equal(6.0350856790487795, c.SnrDb, 7);
        Assert.Equal(0.8722613753591159, c.Correlation, 9);
        Assert.Equal(0.9497053851453536, c.MaxCrossCorrelation, 9);
        Assert.False(c.IsGood);
        Assert.True(double.IsPositiveInfinity(AudioComparison.Compute(t, t).SnrDb));
    }

    [Fact]
    public void Evaluate_writes_consistent_metrics_confusion_matrices_and_reconstructions()
    {
        using var run = new TempDir();
        var config = TrainConfig.Load(
            RepoPaths.Configs,
            "trivial_micro_small",
            ["trainer.max_epochs=2", "logger.tensorboard=false", "trainer.threads=1"]
        );
        var trained = new Trainer(config).Fit(data.Dataset, RunDirectory.At(run.Path));
        var output = Path.Combine(run.Path, "eval");
        var report = ModelEvaluation.Run(
            new EvaluateRequest
            {
                Checkpoint = run.Path,
                Data = data.Directory,
                Output = output,
                ReconstructionSamples = 3,
            }
        );

        Assert.Equal(data.Dataset.Test.Count, report.Samples);
        // best.ckpt is the epoch with the best val/acc: its accuracies are the logged bests.
        Assert.Equal(trained.Bests["val/acc_best"], report.MeanAccuracy, 12);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        Assert.Equal(
            report.Heads[1].Accuracy,
            json.RootElement.GetProperty("heads").GetProperty("log10_decay_time").GetProperty("accuracy").GetDouble()
        );

        for (var h = 0; h < report.Heads.Count; h++)
        {
            var head = report.Heads[h];
            var lines = File.ReadAllLines(Path.Combine(output, $"confusion_{head.Name}.csv"));
            Assert.Equal(head.NumClasses + 1, lines.Length);
            var cells = lines.Skip(1).Select(l => l.Split(',').Skip(1).Select(long.Parse).ToArray()).ToArray();
            var total = cells.Sum(r => r.Sum());
            var diagonal = Enumerable.Range(0, head.NumClasses).Sum(i => cells[i][i]);
            Assert.Equal(report.Samples, total);
            Assert.Equal(head.Accuracy, diagonal / (double)total, 12);
            var svg = File.ReadAllText(Path.Combine(output, $"confusion_{head.Name}.svg"));
            Assert.StartsWith("<svg", svg.TrimStart());
        }

        Assert.Equal(3, report.Reconstructions.Count);
        foreach (var r in report.Reconstructions)
        {
            var truth = WavFile.Read(Path.Combine(output, "reconstruction", $"sample_{r.Index:D4}_true.wav"));
            Assert.Equal(8000, truth.SampleRate);
            Assert.Equal(8000, truth.Length);
            var exact = r.Parameters.Values.All(v => v.True == v.Predicted);
            Assert.Equal(exact, double.IsPositiveInfinity(r.Audio.SnrDb));
        }
        Assert.True(File.Exists(Path.Combine(output, "reconstruction", "reconstruction.svg")));
    }

    [Fact]
    public void Evaluating_against_a_dataset_with_other_heads_is_a_clear_error()
    {
        using var run = new TempDir();
        var config = TrainConfig.Load(RepoPaths.Configs, "quick", ["logger.tensorboard=false"]);
        new Trainer(config).Fit(data.Dataset, RunDirectory.At(run.Path));
        using var other = new TempDir();
        var moog = Nsmt.Spectral.Data.Config.GeneratorConfig.Load(
            Path.Combine(RepoPaths.Configs, "synth", "moog_basic.yaml"),
            ["dataset.size=20"]
        );
        Nsmt.Spectral.Data.Generation.DatasetGenerator.Generate(
            moog,
            new Nsmt.Spectral.Data.Generation.GenerationOptions { OutputDirectory = other.Path, WriteReports = false }
        );
        var e = Assert.Throws<InvalidDataException>(() =>
            ModelEvaluation.Run(
                new EvaluateRequest
                {
                    Checkpoint = run.Path,
                    Data = other.Path,
                    Output = Path.Combine(run.Path, "e"),
                }
            )
        );
        Assert.Contains("do not match the checkpoint", e.Message);
        Assert.False(Directory.Exists(Path.Combine(run.Path, "e")));
    }
}
