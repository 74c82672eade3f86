using Nsmt.Amp.Stage;
using Nsmt.Amp.Training;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Export;
using Nsmt.Runs;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The amp flow has one source for its data: the capture and reamp stages run with the experiment's config and write
/// the signal AmpTrain trains on, so a changed amp setting changes the reamped file, the model trained on it and the
/// evaluation against that file (issue 30: before, capture and reamp ran with their command-line defaults and only
/// happened to match default.yaml). Tiny settings: a 10 s capture at 24 kHz and one epoch of WaveNet nano.
/// </summary>
public sealed class AmpDataSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-amp-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static int Amp(params string[] args) => AmpCommands.Root().Parse(args).Invoke();

    private sealed record Outputs(
        byte[] Capture,
        byte[] Reamped,
        byte[] Model,
        string Metrics,
        AmpTrainConfig Config,
        string ReampedPath
    );

    private Outputs RunFlow(string name, double gainDb)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        var config = Path.Combine(dir, "amp.yaml");
        File.WriteAllText(
            config,
            $"""
            seed: 0
            data:
              source: reference
              sample_rate: 24000
              seconds: 10
              validation_seconds: 1
              amp:
                gain_db: {gainDb.ToString(System.Globalization.CultureInfo.InvariantCulture)}
              ny: 512
            model:
              type: wavenet
              preset: nano
            training:
              epochs: 1
              batch_size: 16
              lr: 0.004
              threads: 1
            loss:
              mse: 1
              pre_emph_mrstft: 0
            """
        );
        var capture = Path.Combine(dir, "capture.wav");
        var reamped = Path.Combine(dir, "reamped.wav");
        Assert.Equal(0, Amp("capture", "--config", config, "-o", capture));
        Assert.Equal(0, Amp("reamp", "--config", config, capture, "-o", reamped));

        var settings = AmpTrainConfig.Load(config);
        var run = RunDirectory.At(Path.Combine(dir, "run"));
        // As the pipeline's AmpTrain runs: on the files the stages wrote (AmpTrain --capture --reamped).
        var data = AmpDataLoader.Load(settings.Data, (capture, reamped));
        var result = new AmpTrainer(settings, data, run).Run();
        // model.nam is exported when validation improves on the untrained model; one tiny epoch need not, so the
        // last checkpoint is exported the same way (AmpTrain export).
        var model = result.ModelPath ?? Path.Combine(dir, "last.nam");
        if (result.ModelPath is null)
        {
            CheckpointExport.ToNam(run.LastCheckpoint, model);
        }

        var eval = Path.Combine(dir, "eval");
        Assert.Equal(0, Amp("evaluate", "--model", model, "--di", capture, "--reamp", reamped, "-o", eval));
        return new Outputs(
            File.ReadAllBytes(capture),
            File.ReadAllBytes(reamped),
            File.ReadAllBytes(model),
            File.ReadAllText(Path.Combine(eval, "metrics.json")),
            settings,
            reamped
        );
    }

    [Fact]
    public void A_changed_amp_gain_changes_the_reamped_file_the_model_and_the_evaluation_but_not_the_capture()
    {
        var standard = RunFlow("gain12", 12);
        var hotter = RunFlow("gain20", 20);

        Assert.Equal(standard.Capture, hotter.Capture);
        Assert.NotEqual(standard.Reamped, hotter.Reamped);
        Assert.NotEqual(standard.Model, hotter.Model);
        Assert.NotEqual(standard.Metrics, hotter.Metrics);

        // A capture that is not the config's is refused rather than trained on.
        var other = standard.Config.Data with { CaptureSeed = 1 };
        Assert.Throws<ArgumentException>(() =>
            AmpDataLoader.Load(other, (Path.Combine(_folder, "gain12", "capture.wav"), standard.ReampedPath))
        );
    }

    [Fact]
    public void Capture_and_reamp_refuse_options_the_config_sets_and_a_recording_experiment()
    {
        var config = Path.Combine(_folder, "files.yaml");
        File.WriteAllText(config, "data:\n  source: files\n  di: di.wav\n  reamp: amp.wav\n");
        Assert.Equal(1, Amp("capture", "--config", config, "--seconds", "5", "-o", Path.Combine(_folder, "c.wav")));
        Assert.Equal(1, Amp("capture", "-o", Path.Combine(_folder, "c.wav"), "data.capture_seed=3"));
        Assert.Equal(2, Amp("capture", "--config", config, "-o", Path.Combine(_folder, "c.wav")));
        Assert.False(File.Exists(Path.Combine(_folder, "c.wav")));
    }
}
