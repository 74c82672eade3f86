using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural.IO;
using Nsmt.Neural.Training;
using Nsmt.Outputs;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>Knob runs on the shared training core: exact resume, checkpoint ranking, weight averaging, the run's record.</summary>
public sealed class KnobRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nsmt-knobrun-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// <see cref="KnobTrainingTests.Tiny"/> (three settings of the reference amp, one held out, a GRU of 12, 7 s at
    /// 16 kHz) for 3 epochs of 5 steps: seconds an epoch.
    /// </summary>
    private static KnobTrainConfig Config(params string[] overrides) =>
        KnobTrainConfig.Parse(
            KnobTrainingTests.Tiny,
            "tiny.yaml",
            ["training.epochs=3", "training.batch_size=64", .. overrides]
        );

    private KnobTrainingResult Train(KnobTrainConfig config, string name, bool resume = false) =>
        new KnobTrainer(config, KnobCaptureSet.Load(config), Path.Combine(_root, name)).Run(resume);

    private RunDirectory Run(string name) => RunDirectory.Existing(Path.Combine(_root, name));

    /// <summary>With weight averaging, the harder case: live and averaged weights both carry over (the loop's own tests cover the rest).</summary>
    [Fact]
    public void A_resumed_knob_run_continues_bit_for_bit_like_an_uninterrupted_one()
    {
        const string ema = "training.ema_decay=0.9";
        Train(Config(ema), "straight");
        Train(Config(ema, "training.epochs=2"), "interrupted");
        // What AmpTrain --resume does: the run's own config.yaml, with its knobs: section, and an override.
        var saved = KnobTrainConfig.Load(Run("interrupted").ConfigFile, ["training.epochs=3"]);
        Assert.Equal(Config(ema).Settings, saved.Settings);
        Assert.Equal(Config(ema).HeldOut, saved.HeldOut);
        var resumed = Train(saved, "interrupted", resume: true);

        var (straight, _) = SafeTensors.Load(Run("straight").LastCheckpoint);
        var (continued, _) = SafeTensors.Load(Run("interrupted").LastCheckpoint);
        Assert.Equal(straight.Keys.Order(), continued.Keys.Order());
        Assert.Contains(straight.Keys, k => k.StartsWith(TrainingCheckpoint.LivePrefix, StringComparison.Ordinal));
        foreach (var (name, tensor) in straight.Where(kv => !kv.Key.StartsWith("rng/", StringComparison.Ordinal)))
        {
            Assert.Equal(tensor.bytes.ToArray(), continued[name].bytes.ToArray());
        }

        var a = MetricsCsvLogger.Read(Run("straight").MetricsCsv);
        var b = MetricsCsvLogger.Read(Run("interrupted").MetricsCsv);
        Assert.Equal(3, b.Count);
        Assert.Equal(a.Select(r => r[KnobTraining.Monitor]), b.Select(r => r[KnobTraining.Monitor]));
        Assert.Equal(a.Select(r => r["val/esr_held_out_max"]), b.Select(r => r["val/esr_held_out_max"]));
        Assert.Equal(a.Select(r => r["step"]), b.Select(r => r["step"]));
        Assert.Equal(3, resumed.Epochs);
        Assert.Equal(
            File.ReadAllText(Path.Combine(Run("straight").Path, "model.json")),
            File.ReadAllText(resumed.ModelPath)
        );
        Assert.Equal(
            File.ReadAllText(Path.Combine(Run("straight").Path, KnobRunFiles.EsrTable)),
            File.ReadAllText(Path.Combine(resumed.OutputDirectory, KnobRunFiles.EsrTable))
        );
    }

    [Fact]
    public void Checkpoints_rank_by_the_trained_settings_mean_validation_esr_and_the_best_is_what_the_run_reports()
    {
        var result = Train(Config("training.top_k=2", "training.lr=0.03"), "ranked");
        var run = Run("ranked");
        var rows = MetricsCsvLogger.Read(run.MetricsCsv);
        Assert.Equal(3, rows.Count);
        var means = rows.Select(r => r[KnobTraining.Monitor]).ToArray();
        // The mean over the trained settings only: the held-out setting's ESR is logged apart and never ranks.
        var ranked = Enumerable.Range(0, means.Length).OrderBy(e => means[e]).ToArray();
        var expected = ranked
            .Take(2)
            .Select(e =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"epoch={e + 1:0000}_val_esr_trained_mean={means[e]:0.000000}.ckpt"
                )
            )
            .Concat(["best.ckpt", "last.ckpt"])
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            expected,
            Directory.GetFiles(run.Checkpoints).Select(Path.GetFileName).Order(StringComparer.Ordinal)
        );
        Assert.Equal(ranked[0] + 1, result.BestEpoch);
        using var best = TrainingCheckpoint.Load(run.BestCheckpoint, KnobTraining.Domain);
        Assert.Equal(ranked[0] + 1, best.State.EpochsCompleted);
        Assert.Equal(means[ranked[0]], best.State.Metrics[KnobTraining.Monitor]);

        // The run's per-setting figures are the best epoch's: their trained mean is the ranked value.
        Assert.Equal(means[ranked[0]], result.Esr.Where(e => !e.HeldOut).Average(e => e.Esr), 12);
        Assert.Equal(rows[ranked[0]]["val/esr_held_out_max"], result.WorstHeldOut);
        using var summary = JsonDocument.Parse(File.ReadAllText(run.SummaryJson));
        var root = summary.RootElement;
        Assert.Equal(KnobTraining.Domain, root.GetProperty("domain").GetString());
        Assert.Equal(ranked[0] + 1, root.GetProperty("best_epoch").GetInt32());
        Assert.Equal(KnobTraining.Monitor, root.GetProperty("monitor").GetProperty("metric").GetString());
        Assert.Equal("model.json", root.GetProperty("model").GetString());
        Assert.Equal(result.WorstTrained, root.GetProperty("worst_trained_esr").GetDouble());
        Assert.Equal("gain_db=9", root.GetProperty("held_out")[0].GetProperty("setting").GetString());
        Assert.Equal(2, root.GetProperty("trained").GetArrayLength());
        Assert.Equal(2, root.GetProperty("top_k").GetArrayLength());
    }

    [Fact]
    public void With_weight_averaging_the_model_file_and_the_reported_esr_are_the_averaged_weights()
    {
        var config = Config("training.epochs=2", "training.ema_decay=0.9");
        var result = Train(config, "averaged");
        using var best = TrainingCheckpoint.Load(Run("averaged").BestCheckpoint, KnobTraining.Domain);
        Assert.True(best.HasLive);
        Assert.Contains(best.Model, kv => !kv.Value.bytes.ToArray().SequenceEqual(best.Live[kv.Key].bytes.ToArray()));

        // A fresh module holding the checkpoint's validated (averaged) weights exports model.json as the run wrote it ...
        using var module = (ConditionedRnn)config.CreateModule();
        StateDicts.Load(module, best.Model);
        var exported = Path.Combine(_root, "exported.json");
        KerasModelFile.SaveForAida(AidaExport.ToKerasModel(module, 16000), exported);
        Assert.Equal(File.ReadAllText(exported), File.ReadAllText(result.ModelPath));

        // ... and scores every setting as the run reported, while the live weights score otherwise.
        var captures = KnobCaptureSet.Load(config);
        double[] Scores() =>
            [
                .. captures.Select(c =>
                {
                    var range = c.Data.Validation;
                    var start = Math.Max(0, range.Start - module.Context);
                    var output = module.Process(
                        c.Data.Input.AsSpan(start, range.End - start),
                        c.Setting.Values.Select(v => v.Value).ToList()
                    );
                    return Nsmt.Amp.Evaluation.Metrics.Esr(
                        output.AsSpan(range.Start - start).ToArray().Select(v => (float)v).ToArray(),
                        c.Data.Output.AsSpan(range.Start, range.Length)
                    );
                }),
            ];
        Assert.Equal(result.Esr.Select(e => e.Esr), Scores());
        StateDicts.Load(module, best.Live);
        Assert.NotEqual(result.Esr.Select(e => e.Esr), Scores());
    }

    [Fact]
    public void A_checkpoint_of_another_domain_or_layout_is_refused_naming_its_layout()
    {
        Train(Config("training.epochs=1"), "knob");
        var last = Run("knob").LastCheckpoint;
        var (tensors, loaded) = SafeTensors.Load(last);
        // Without the file's own integrity record, which SafeTensors.Save writes anew.
        var metadata = loaded.Where(kv => !kv.Key.StartsWith("nsmt.", StringComparison.Ordinal)).ToDictionary();

        // An amp run's checkpoint (same layout, other domain) in a knob run's place.
        SafeTensors.Save(last, tensors, new Dictionary<string, string>(metadata) { ["domain"] = "amp" });
        var error = Assert.Throws<InvalidDataException>(() => Train(Config("training.epochs=2"), "knob", resume: true));
        Assert.Contains(
            "a checkpoint of amp training (layout 'nsmt-checkpoint/2')",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("expected one of knob training", error.Message, StringComparison.Ordinal);

        // A layout this build does not know.
        SafeTensors.Save(
            last,
            tensors,
            new Dictionary<string, string>(metadata) { ["format"] = "nsmt-knob-checkpoint/0" }
        );
        error = Assert.Throws<InvalidDataException>(() => Train(Config("training.epochs=2"), "knob", resume: true));
        Assert.Contains("'format' is 'nsmt-knob-checkpoint/0'", error.Message, StringComparison.Ordinal);
    }
}
