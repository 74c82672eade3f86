using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>Reading NAM's own example files and round-tripping them through our exporter.</summary>
public sealed class NamFileFixtureTests
{
    [NamFixtureFact]
    public void Reads_cores_wavenet_example_as_the_standard_preset()
    {
        var model = NamFile.Load(NamFixtures.PathOf("wavenet_a1_standard.nam"));

        Assert.Equal("0.5.0", model.Version);
        Assert.Equal(NamArchitecture.WaveNet, model.Architecture);
        Assert.Equal(NamPresets.WaveNet(WaveNetPreset.Standard), model.Config);
        Assert.Equal(13_802, model.Weights.Length);
        Assert.Equal(0.003525947919115424f, model.Weights[0]);
        Assert.Equal(0.02f, model.EffectiveHeadScale);
        Assert.Null(model.SampleRate); // the file has no sample_rate key: unknown, as in Core
        Assert.Null(model.Metadata);
    }

    [NamFixtureFact]
    public void Reads_cores_lstm_example_with_its_metadata()
    {
        var model = NamFile.Load(NamFixtures.PathOf("lstm.nam"));

        Assert.Equal(new LstmConfig { HiddenSize = 3, NumLayers = 1 }, model.Config);
        Assert.Equal(70, model.Weights.Length);
        Assert.Equal(48000, model.SampleRate);
        var meta = model.Metadata!;
        Assert.Equal(new NamDate(2024, 10, 9, 18, 44, 41), meta.Date);
        Assert.Equal(-37.8406867980957, meta.Loudness);
        Assert.Equal(0.13508800804658277, meta.Gain);
        Assert.Equal("Test LSTM", meta.Name);
        Assert.Equal("Steve", meta.ModeledBy);
        Assert.Equal("amp", meta.GearType);
        Assert.Equal("Darkglass Electronics", meta.GearMake);
        Assert.Equal("Microtubes 900 v2", meta.GearModel);
        Assert.Equal("clean", meta.ToneType);
        Assert.Equal(18.3, meta.InputLevelDbu);
        Assert.Equal(12.3, meta.OutputLevelDbu);
        Assert.False(meta.Training!.Settings!.IgnoreChecks);
        Assert.Null(meta.Training.Data!.Latency!.Manual);
        var calibration = meta.Training.Data.Latency.Calibration!;
        Assert.Equal(1, calibration.AlgorithmVersion);
        Assert.Equal([-16], calibration.Delays!);
        Assert.Equal(1, calibration.SafetyFactor);
        Assert.Equal(-17, calibration.Recommended);
        Assert.False(calibration.Warnings!.MatchesLookahead);
        Assert.False(calibration.Warnings.DisagreementTooHigh);
        Assert.Null(calibration.Warnings.NotDetected);
        Assert.Equal(3, meta.Training.Data.Checks!.Version);
        Assert.True(meta.Training.Data.Checks.Passed);
        Assert.Null(meta.Training.ValidationEsr);
    }

    [NamFixtureTheory]
    [InlineData("wavenet_a1_standard.nam")]
    [InlineData("lstm.nam")]
    public void Export_then_import_gives_identical_model_and_output(string file)
    {
        var original = NamFile.Load(NamFixtures.PathOf(file));

        // The WaveNet example omits sample_rate; we only export models that state it.
        var stated = new NamModel(
            original.Config,
            original.Weights,
            original.SampleRate ?? 48000,
            original.Metadata,
            original.Version
        );
        var path = Path.Combine(Path.GetTempPath(), $"nsmt-roundtrip-{Guid.NewGuid():N}.nam");
        try
        {
            NamFile.Save(stated, path);
            var reread = NamFile.Load(path);

            Assert.Equal(NamModel.CurrentVersion, reread.Version);
            Assert.Equal(stated.Config, reread.Config);
            Assert.Equal(stated.Weights, reread.Weights);
            Assert.Equal(stated.SampleRate, reread.SampleRate);
            Assert.Equal(stated.Metadata, reread.Metadata);

            var input = NamFixtures.ReadMono("input_48k_f32.wav").AsSpan(0, 20000).ToArray();
            Assert.Equal(
                TestModels.Stream(NamEngineFactory.Create(stated), input, 64),
                TestModels.Stream(NamEngineFactory.Create(reread), input, 64)
            );
        }
        finally
        {
            File.Delete(path);
        }
    }
}
