using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Core;

namespace Nsmt.Amp.Training.Tests;

public sealed class KnobTrainingTests
{
    internal const string Tiny = """
        seed: 0
        data:
          source: reference
          sample_rate: 16000
          seconds: 7
          validation_seconds: 1
          latency: 32
          ny: 256
        model:
          type: lstm
          preset: nano
          lstm_burn_in: 64
        training:
          epochs: 1
          batch_size: 32
          lr: 0.01
          threads: 1
        knobs:
          cell: gru
          grid:
            gain_db: [0, 9, 18]
          held_out: [gain_db=9]
        """;

    [Fact]
    public void A_tiny_knob_training_reports_trained_and_held_out_settings_apart_and_writes_an_aida_x_model()
    {
        var config = KnobTrainConfig.Parse(Tiny, "tiny.yaml");
        Assert.Equal(3, config.Settings.Count);
        Assert.Equal([new KnobRange("gain_db", 0, 18)], config.Ranges);
        var captures = KnobCaptureSet.Load(config);
        Assert.Equal([false, true, false], captures.Select(c => c.HeldOut));
        // The same DI at every setting: one capture signal, different amp outputs.
        Assert.Equal(captures[0].Data.Input, captures[2].Data.Input);
        Assert.NotEqual(captures[0].Data.Output, captures[2].Data.Output);

        var folder = Path.Combine(Path.GetTempPath(), "nsmt-knobs-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = new KnobTrainer(config, captures, folder).Run();
            Assert.Equal(["gain_db=0", "gain_db=9", "gain_db=18"], result.Esr.Select(e => e.Setting.ToString()));
            Assert.Equal([false, true, false], result.Esr.Select(e => e.HeldOut));
            Assert.All(result.Esr, e => Assert.True(double.IsFinite(e.Esr) && e.Esr > 0));
            var csv = File.ReadAllText(Path.Combine(folder, "knob_esr.csv"));
            Assert.Contains("\"gain_db=9\",9,true,", csv, StringComparison.Ordinal);

            var model = KerasModelFile.Load(result.ModelPath);
            Assert.Equal(2, model.InputSize);
            Assert.IsType<KerasGru>(model.Layers[0]);
            Assert.Equal(config.Ranges, model.Knobs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("held_out: [gain_db=9]", "held_out: [gain_db=7]", "'gain_db=7' is not one of the captured settings")]
    [InlineData("gain_db: [0, 9, 18]", "gian_db: [0, 9, 18]", "no knob 'gian_db' (did you mean 'gain_db'?)")]
    [InlineData("preset: nano", "preset: lite", "a knob model has one recurrent layer")]
    [InlineData("cell: gru", "cell: rnn", "knobs.cell")]
    public void Bad_knob_configs_are_refused_naming_the_field(string from, string to, string message)
    {
        var error = Record.Exception(() =>
            KnobTrainConfig.Parse(Tiny.Replace(from, to, StringComparison.Ordinal), "tiny.yaml")
        );
        Assert.True(error is NsmtInputException, $"expected an input error, got {error}");
        Assert.Contains(message, error!.Message, StringComparison.Ordinal);
    }
}
