using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Audio;
using Nsmt.Config;
using Nsmt.Runs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// Issue 25: NAM's A2 recipe trains on targets normalised to -18 dBFS RMS and divides head_scale by the gain after
/// (neural-amp-modeler's nam/train/_normalize.py): the gain against a hand computation, the compensation against the
/// module it came from, and a normalised run's exported model playing at the recording's level.
/// </summary>
public sealed class TargetNormalizationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-target-norm-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void The_gain_is_the_target_rms_over_the_signals_rms_lowered_to_keep_the_peak_below_full_scale()
    {
        // A sine of amplitude 0.1 over whole periods: RMS 0.1 / sqrt(2); -18 dBFS is 10^(-18/20) = 0.125893.
        var sine = Enumerable.Range(0, 48_000).Select(i => (float)(0.1 * Math.Sin(2 * Math.PI * i / 100))).ToArray();
        var expected = 0.12589254117941673 / (0.1 / Math.Sqrt(2)); // 1.78039...
        Assert.Equal(expected, TargetNormalization.Gain(SampleSource.Of(sine), -18), 1e-6);

        // Sparse pulses of 0.9 every 100 samples: RMS 0.09, so -6 dBFS (0.501187) would put the peak at 5.0; the gain
        // is lowered to bring the peak to 1 - 1e-4 instead: (1 - 1e-4) / 0.9.
        var pulses = new float[48_000];
        for (var i = 0; i < pulses.Length; i += 100)
        {
            pulses[i] = 0.9f;
        }

        Assert.Equal((1 - 1e-4) / 0.9, TargetNormalization.Gain(SampleSource.Of(pulses), -6), 1e-6);
        Assert.Equal(1.0, TargetNormalization.Gain(SampleSource.Of(new float[1000]), -18));
    }

    [Fact]
    public void Compensation_divides_every_widths_head_scale_and_puts_the_same_floats_back()
    {
        using var packed = (PackedA2)TrainingTests.SmallConfig("a2", "model.preset=packed").Model.CreateModule(8000);
        using var a1 = (NamWaveNet)TrainingTests.SmallConfig("wavenet", "model.preset=nano").Model.CreateModule(8000);
        var before = packed.Submodels.Select(s => s.HeadScale).Append(a1.HeadScale).ToArray();
        Assert.Equal([0.01f, 0.01f, 0.02f], before); // A2's head_scale and A1 nano's, as configured

        using (TargetNormalization.Compensate(packed, 4))
        using (TargetNormalization.Compensate(a1, 4))
        {
            Assert.Equal([0.0025f, 0.0025f, 0.005f], packed.Submodels.Select(s => s.HeadScale).Append(a1.HeadScale));
        }

        Assert.Equal(before, packed.Submodels.Select(s => s.HeadScale).Append(a1.HeadScale));
        using var lstm = TrainingTests.SmallConfig("lstm", "model.preset=nano").Model.CreateModule(8000);
        Assert.Throws<ArgumentException>(() => TargetNormalization.Compensate(lstm, 2));
        TargetNormalization.Compensate(lstm, 1).Dispose(); // nothing to do
        Assert.Throws<ArgumentException>(() => TargetNormalization.Compensate(a1, 0));
        Assert.Throws<ArgumentException>(() => TargetNormalization.Compensate(a1, double.NaN));
    }

    [Fact]
    public void The_option_is_read_for_wavenets_refused_for_an_lstm_and_set_by_nams_a2_recipe()
    {
        Assert.Equal(-18, AmpTrainConfig.Load(ConfigTests.RepoFile("configs/amp/a2_nam.yaml")).Data.TargetRmsDbfs);
        var a2 = AmpTrainConfig.Load(ConfigTests.RepoFile("configs/amp/a2.yaml"));
        Assert.Null(a2.Data.TargetRmsDbfs);
        Assert.DoesNotContain("target_rms_dbfs", a2.ResolvedYaml, StringComparison.Ordinal);
        Assert.Equal(-20, TrainingTests.SmallConfig("wavenet", "data.target_rms_dbfs=-20").Data.TargetRmsDbfs);
        var lstm = Assert.Throws<ConfigException>(() => TrainingTests.SmallConfig("lstm", "data.target_rms_dbfs=-18"));
        Assert.Contains("data.target_rms_dbfs", lstm.Message, StringComparison.Ordinal);
        Assert.Null(TrainingTests.SmallConfig("lstm", "data.target_rms_dbfs=null").Data.TargetRmsDbfs);
    }

    [Fact]
    public void A_normalised_run_exports_a_model_that_plays_at_the_recordings_level()
    {
        // The synthetic amp 26 dB quieter: normalising it to -18 dBFS RMS scales the targets up by about 9 (the peak allows no more).
        var loud = TrainingTests.SyntheticData();
        var quiet = new AmpTrainingData(
            loud.Input,
            [.. loud.Output.Select(v => v * 0.05f)],
            loud.SampleRate,
            loud.Train,
            loud.Validation
        );
        var gain = TargetNormalization.Gain(quiet.Signals.Output, -18);
        Assert.True(gain > 5, $"gain {gain}");
        var config = TrainingTests.SmallConfig(
            "wavenet",
            "model.preset=nano",
            "data.target_rms_dbfs=-18",
            "training.epochs=6"
        );
        var run = RunDirectory.At(Path.Combine(_root, "run"));
        var result = new AmpTrainer(config, quiet, run).Run();

        // The file's head_scale is the configured one over the gain (the weights are the trained ones).
        var nam = NamFile.Load(result.ModelPath!);
        Assert.Equal((float)(0.02 / gain), ((Architectures.WaveNetConfig)nam.Config).HeadScale);
        Assert.Equal((float)(0.02 / gain), nam.Weights[^1]);

        // Played through the engine over the validation range, it has the recording's level, not the normalised one:
        // | rms(model) - rms(target) | <= rms(model - target) = sqrt(ESR) * rms(target).
        var range = quiet.Validation;
        var played = AmpEvaluation.Predict(nam, quiet.Input, quiet.SampleRate, range);
        var target = quiet.Output.AsSpan(range.Start, range.Length).ToArray();
        var esr = Metrics.Esr(played, target);
        Assert.True(esr < 0.5, $"the model learned too little to judge its level (ESR {esr})");
        var (modelRms, targetRms) = (Rms(played), Rms(target));
        Assert.True(
            Math.Abs(modelRms - targetRms) <= (Math.Sqrt(esr) * targetRms) + 1e-9,
            $"model RMS {modelRms}, target RMS {targetRms}, ESR {esr}, gain {gain}"
        );
        // The run validated on the normalised target with the uncompensated module: the same ESR as the file's.
        Assert.Equal(result.ValidationEsr, esr, 2e-3);

        // An export from the checkpoint compensates the same way.
        var exported = Path.Combine(_root, "from-checkpoint.nam");
        CheckpointExport.ToNam(Path.Combine(run.Checkpoints, "last.ckpt"), exported);
        Assert.Equal((float)(0.02 / gain), NamFile.Load(exported).Weights[^1]);
    }

    private static double Rms(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v) / x.Length);
}
