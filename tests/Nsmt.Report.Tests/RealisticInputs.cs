using System.Globalization;
using Nsmt.Audio;
using Nsmt.Plots;
using Nsmt.Runs;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Report.Tests;

/// <summary>
/// What the pipeline's stages write for one spectral and one amp experiment, small: a VIMH dataset made by the
/// real generator, a training run (metrics.csv, per-step TensorBoard loss, resolved config, summary), an
/// evaluation (metrics.json, confusion matrices with the long titles Evaluate gives them), a diagram with a wide
/// layer table, an amp evaluation with figures and listening clips, an amp run and a lock file with long lines.
/// </summary>
public sealed class RealisticInputs : IDisposable
{
    public RealisticInputs()
    {
        Root = Path.Combine(Path.GetTempPath(), "nsmt-report-real-" + Guid.NewGuid().ToString("N"));
        var dataset = Path.Combine(Root, "data", "simple_saw_64");
        var config = GeneratorConfig.Load(
            Path.Combine(AppContext.BaseDirectory, "configs", "simple_saw.yaml"),
            ["dataset.size=64"]
        );
        DatasetGenerator.Generate(
            config,
            new GenerationOptions
            {
                OutputDirectory = dataset,
                WriteReports = false,
                MaxDegreeOfParallelism = 1,
            }
        );

        var run = Path.Combine(Root, "runs", "trivial_tiny_large");
        Directory.CreateDirectory(run);
        var csv = new MetricsCsvLogger(Path.Combine(run, "metrics.csv"));
        using (var tb = new TensorBoardWriter(Path.Combine(run, "tensorboard")))
        {
            for (var e = 0; e < 15; e++)
            {
                for (var s = 0; s < 20; s++)
                {
                    tb.AddScalar(
                        TrainingCurves.StepLossTag,
                        3 * Math.Exp(-((e * 20) + s) / 80.0) + 1.5 + (0.2 * Math.Sin(s)),
                        (e * 20) + s
                    );
                }

                var acc = 0.9 - (0.7 * Math.Exp(-e / 3.0));
                csv.Log(
                    new Dictionary<string, double>
                    {
                        ["train/loss"] = 2.8 - (e * 0.08),
                        ["val/loss"] = 2.0 - (e * 0.04),
                        ["lr"] = 0.002,
                        ["val/note_velocity_acc"] = 0.515,
                        ["train/note_velocity_acc"] = 0.5,
                        ["val/log10_decay_time_acc"] = acc,
                        ["train/log10_decay_time_acc"] = acc - 0.05,
                        ["val/acc"] = (0.515 + acc) / 2,
                    },
                    e,
                    ((e + 1) * 20) - 1
                );
            }
        }

        File.WriteAllText(
            Path.Combine(run, "config.yaml"),
            "data:\n  generator: configs/synth/simple_saw.yaml\n  size: 64\n  dir: data/simple_saw_64\nmodel:\n  net:\n    architecture: simple_cnn\n"
                + "task_name: trivial_tiny_large\nchoices:\n  experiment: trivial_tiny_large\n  data: simple_saw_16384\n  model: cnn_tiny\n"
        );
        File.WriteAllText(
            Path.Combine(run, "summary.json"),
            "{\"task_name\": \"trivial_tiny_large\", \"epochs\": 15, \"parameters\": 10411, \"best_epoch\": 13, \"bests\": {\"val/acc_best\": 0.71}}"
        );
        File.WriteAllText(
            Path.Combine(run, "timing.json"),
            "{\"train_samples_per_second\": 2100, \"seconds_per_epoch\": 6.5}"
        );

        var eval = Path.Combine(Root, "eval", "trivial_tiny_large");
        Directory.CreateDirectory(eval);
        File.WriteAllText(
            Path.Combine(eval, "metrics.json"),
            """
            {"checkpoint": "artifacts/runs/trivial_tiny_large/checkpoints/best.ckpt", "dataset": "/work/a/rather/long/path/to/the/data/simple_saw_16384_that_must_not_widen_the_page", "samples": 3277,
             "test/loss": 1.41, "test/acc": 0.705,
             "heads": {"note_velocity": {"num_classes": 3, "accuracy": 0.515, "mae": 0.25, "majority_baseline": 0.515},
                       "log10_decay_time": {"num_classes": 24, "accuracy": 0.896, "mae": 0.04, "majority_baseline": 0.053}}}
            """
        );
        Confusion(eval, "note_velocity", 3);
        Confusion(eval, "log10_decay_time", 24);

        var diagram = Path.Combine(Root, "diagrams", "trivial_tiny_large");
        Directory.CreateDirectory(diagram);
        File.WriteAllText(
            Path.Combine(diagram, "summary.txt"),
            "Layer (type:depth-idx)                                                  Output Shape              Param #            Trainable\n"
                + string.Concat(
                    Enumerable
                        .Range(0, 8)
                        .Select(i =>
                            $"├─Conv2d: {i}-{i + 1}                                                  [64, 16, 32, 32]          {i * 100 + 160, -18} True\n"
                        )
                )
                + "Total params: 10,411"
        );
        File.WriteAllText(
            Path.Combine(diagram, "model.svg"),
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300pt\" height=\"200pt\" viewBox=\"0 0 300 200\"><g transform=\"translate(4 196)\"><rect x=\"10\" y=\"-180\" width=\"200\" height=\"40\" fill=\"none\" stroke=\"black\"/><text x=\"110\" y=\"-155\" text-anchor=\"middle\" font-size=\"14\">Conv2d 1→16</text></g></svg>"
        );

        var amp = Path.Combine(Root, "amp", "eval", "first_amp");
        Directory.CreateDirectory(amp);
        File.WriteAllText(
            Path.Combine(amp, "metrics.json"),
            """
            {"range": {"name": "validation", "start": 1296000, "length": 144000, "seconds": 3, "sample_rate": 48000},
             "esr_nam": 0.0121, "mse": 0.0001, "snr_db": 19.2, "pearson": 0.9939, "null_test_residual_dbfs": -40.2,
             "quality_grade": "not bad", "quality_grade_rule": "NAM, by esr_nam: <0.01 great, <0.035 not bad, <0.1 might sound ok, <0.3 probably won't sound great",
             "model": {"architecture": "WaveNet", "parameters": 13802, "receptive_field": 4093, "sample_rate": 48000}}
            """
        );
        var t = Enumerable.Range(0, 480).Select(i => (float)Math.Sin(i * 0.2)).ToArray();
        new Figure(1, 1000, 280)
            .Add(
                new LineChart { Title = "first_amp: validation range, ESR 0.0121 (not bad)" }
                    .Add("target", t, 0, 1.0 / 48000)
                    .Add("model", t.Select(v => v * 0.97f).ToArray(), 0, 1.0 / 48000)
            )
            .Save(Path.Combine(amp, "waveform.svg"));
        foreach (var (file, gain) in new[] { ("clip_di.wav", 0.2f), ("clip_amp.wav", 0.6f), ("clip_model.wav", 0.58f) })
        {
            var samples = Enumerable
                .Range(0, 24000)
                .Select(i => gain * (float)Math.Tanh(3 * Math.Sin(2 * Math.PI * 110 * i / 24000.0)))
                .ToArray();
            WavFile.Write(Path.Combine(amp, file), AudioBuffer.Mono(24000, samples), WavSampleFormat.Pcm16);
        }

        var ampRun = Path.Combine(Root, "amp", "runs", "first_amp");
        Directory.CreateDirectory(ampRun);
        var ampCsv = new MetricsCsvLogger(Path.Combine(ampRun, "metrics.csv"));
        for (var e = 0; e < 12; e++)
        {
            ampCsv.Log(
                new Dictionary<string, double>
                {
                    ["train/loss"] = 0.01 * Math.Exp(-e / 4.0),
                    ["val/loss"] = 0.9 * Math.Exp(-e / 2.5),
                    ["val/esr"] = 0.9 * Math.Exp(-e / 2.5),
                },
                e,
                (e + 1) * 34
            );
        }

        File.WriteAllText(
            Path.Combine(ampRun, "summary.json"),
            "{\"validation_esr\": 0.0121, \"grade\": \"not bad\", \"epochs\": 12, \"top_k\": [{\"epoch\": 11}]}"
        );

        Lock = Path.Combine(Root, "pipeline.lock");
        File.WriteAllText(
            Lock,
            ReportTests.LockText(
                "train@trivial_tiny_large",
                new string('a', 64),
                "[dotnet, stages/Train/bin/Release/net10.0/Train.dll, --experiment, trivial_tiny_large, --run-dir, artifacts/runs/trivial_tiny_large, --data, data/simple_saw_16384, trainer.threads=1]"
            )
        );

        Request = new ReportRequest
        {
            Output = Path.Combine(Root, "report"),
            Runs = [run],
            Evaluations = [eval],
            Diagrams = [diagram, Path.Combine(Root, "diagrams", "missing")],
            Amp = [amp],
            AmpRuns = [ampRun],
            Datasets = [dataset],
            Lock = Lock,
        };
        Index = ReportBuilder.Build(Request);
    }

    public string Root { get; }

    public string Lock { get; }

    public ReportRequest Request { get; }

    public string Index { get; }

    private static void Confusion(string eval, string head, int classes)
    {
        var values = new double[classes * classes];
        for (var i = 0; i < classes; i++)
        {
            values[(i * classes) + i] = 20 + i;
        }

        var labels = Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var size = Math.Clamp(40 + (classes * 22), 320, 760);
        // The title and sizes Evaluate gives its confusion figures (ModelEvaluation.WriteConfusion).
        new Figure(1, size + 120, size) { Title = $"{head}: confusion matrix (rows: true, columns: predicted)" }
            .Add(
                new Heatmap(values, classes, classes)
                {
                    RowLabels = labels,
                    ColumnLabels = labels,
                    XLabel = "predicted",
                    YLabel = "true",
                }
            )
            .Save(Path.Combine(eval, $"confusion_{head}.svg"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
    }
}
