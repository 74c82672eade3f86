using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Features;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Spectral.Data.Tests;

/// <summary>
/// The auxiliary feature registry: decay_time against the template's formula (numpy.polyfit and torch's conv2d in
/// tests/fixtures-gen/spectral/decay_time_golden.py) and against known decay constants; rms_db and spectral_centroid
/// against closed forms and the synth's exact gain.
/// </summary>
public class AuxiliaryFeatureTests
{
    private static readonly SpectrogramAxes Axes32 = new(
        1,
        32,
        32,
        0.01,
        [.. Enumerable.Range(1, 32).Select(k => k * 100.0)],
        true,
        "test"
    );

    /// <summary>The golden script's image: rows scaled by (h+1)/H, columns by exp(-t/tau) after a linear attack.</summary>
    private static byte[] SyntheticImage(double tau, int attackFrames)
    {
        var image = new byte[32 * 32];
        for (var h = 0; h < 32; h++)
        {
            for (var w = 0; w < 32; w++)
            {
                var envelope =
                    w < attackFrames ? (w + 1.0) / (attackFrames + 1) : Math.Exp(-(w - attackFrames) * 0.01 / tau);
                image[(h * 32) + w] = (byte)
                    Math.Clamp(Math.Round(255 * ((h + 1) / 32.0) * envelope, MidpointRounding.ToEven), 0, 255);
            }
        }

        return image;
    }

    [Theory]
    [InlineData(0.05, -1.301029995663981)]
    [InlineData(0.2, -0.6989700043360187)]
    public void The_fit_recovers_a_known_decay_constant_exactly(double tau, double pythonValue)
    {
        double[] profile = [.. Enumerable.Range(0, 32).Select(w => 3.7 * Math.Exp(-w * 0.01 / tau))];
        var measured = DecayTime.FromProfile(profile, 0.01);
        Assert.Equal(Math.Log10(tau), measured, 9);
        Assert.Equal(pythonValue, measured, 9);
    }

    [Theory]
    [InlineData(0.03, 0, -1.522468489728693)]
    [InlineData(0.03, 4, -1.3914442795725925)]
    [InlineData(0.1, 0, -1.0008098922937267)]
    [InlineData(0.1, 4, -0.9910952072111537)]
    [InlineData(0.3, 0, -0.5377794908274897)]
    [InlineData(0.3, 4, -0.5447386234094118)]
    [InlineData(1.0, 0, -0.07606082474449405)]
    [InlineData(1.0, 4, -0.10158186473795223)]
    public void Decay_time_of_an_image_matches_the_templates_formula(double tau, int attackFrames, double pythonValue)
    {
        var measured = DecayTime.Measure(new RecordView(SyntheticImage(tau, attackFrames), 0, 1, Axes32));
        // The template computes the profile in float32; ours in float64.
        Assert.Equal(pythonValue, measured, 5);
    }

    [Theory]
    [InlineData(0.03)]
    [InlineData(0.1)]
    public void Decay_time_of_an_image_is_within_one_percent_of_tau_for_short_decays(double tau)
    {
        // The 5-frame smoothing is zero-padded, so the last two frames sag: decays much longer than the image read short
        // (the template's formula does the same: tau 0.3 s reads 0.29, 1 s reads 0.84 in its own numbers above).
        var measured = Math.Pow(10, DecayTime.Measure(new RecordView(SyntheticImage(tau, 0), 0, 1, Axes32)));
        Assert.InRange(measured / tau, 0.99, 1.01);
    }

    [Fact]
    public void Decay_time_is_minus_one_where_the_template_defines_no_decay()
    {
        Assert.Equal(-1.0, DecayTime.FromProfile([1, 2, 3, 4, 5, 6], 0.01)); // peak in the last frame: tail < 3
        Assert.Equal(-1.0, DecayTime.FromProfile([0, 0, 0, 0], 0.01)); // silent
        Assert.Equal(-1.0, DecayTime.FromProfile([1, 1, 1, 1, 1], 0.01)); // flat: slope 0
        Assert.Equal(-3.0, DecayTime.FromProfile([1, 1e-5, 1e-5 * 1e-5, 1e-15], 0.01), 9); // clipped at -3
    }

    [Fact]
    public void Rms_db_of_a_uniform_image_is_the_summed_power_of_its_rows()
    {
        var white = Enumerable.Repeat((byte)255, 32 * 32).ToArray();
        // Every pixel decodes to spec_max = 10 dB (power 10): a frame sums 32 * 10, and the frames' mean is the same.
        Assert.Equal(
            10 * Math.Log10(320),
            AuxiliaryFeatures.Find("rms_db", "test").Measure(new RecordView(white, -50, 10, Axes32)),
            9
        );
    }

    [Fact]
    public void Rms_db_follows_the_velocity_gain_of_the_synth_on_min_max_and_absolute_images()
    {
        var feature = AuxiliaryFeatures.Find("rms_db", "test");
        double Level(GeneratorConfig config, double velocity)
        {
            var record = DatasetGenerator.RenderRecord(
                config,
                new Dictionary<string, double> { ["note_velocity"] = velocity, ["log10_decay_time"] = -0.5 }
            );
            float specMin = BitConverter.ToSingle(record, 6),
                specMax = BitConverter.ToSingle(record, 10);
            return feature.Measure(new RecordView(record.AsSpan(19), specMin, specMax, Axes32));
        }

        // The synth is linear in velocity: 127 against 31 is 20*log10(127/31) = 12.25 dB, whatever the image scaling.
        var expected = 20 * Math.Log10(127.0 / 31);
        var minMax = TestSupport.Config("simple_saw");
        Assert.Equal(expected, Level(minMax, 127) - Level(minMax, 31), 3);
        var absolute = TestSupport.Config(
            "simple_saw",
            "generate.level=absolute",
            "generate.db_floor=-80",
            "generate.db_ceiling=20"
        );
        Assert.InRange(Level(absolute, 127) - Level(absolute, 31), expected - 0.1, expected + 0.1); // 8-bit steps of 0.39 dB
    }

    [Fact]
    public void Spectral_centroid_is_the_power_weighted_row_frequency()
    {
        var feature = AuxiliaryFeatures.Find("spectral_centroid", "test");
        var image = new byte[32 * 32];
        for (var w = 0; w < 32; w++)
        {
            image[(4 * 32) + w] = 255; // row 4 = bin 5 = 500 Hz; every other pixel at -200 dB
        }

        Assert.Equal(500, feature.Measure(new RecordView(image, -200, 0, Axes32)), 6);
        image[(9 * 32) + 3] = 255; // one frame of row 9 (1000 Hz) as loud: (32 * 500 + 1000) / 33
        Assert.Equal(17000.0 / 33, feature.Measure(new RecordView(image, -200, 0, Axes32)), 6);
    }

    [Fact]
    public void Features_name_what_they_need_when_a_dataset_lacks_it()
    {
        var image = new byte[32 * 32];
        var envelopes = Axes32 with { PixelsAreDecibels = false };
        var e = Assert.Throws<VimhDataException>(() =>
            AuxiliaryFeatures.Find("rms_db", "test").Measure(new RecordView(image, 0, 1, envelopes))
        );
        Assert.Contains("channel_labels", e.Message);
        var mel = Axes32 with { RowFrequencies = null };
        e = Assert.Throws<VimhDataException>(() =>
            AuxiliaryFeatures.Find("spectral_centroid", "test").Measure(new RecordView(image, 0, 1, mel))
        );
        Assert.Contains("spectrogram_config.type", e.Message);
        e = Assert.Throws<VimhDataException>(() => AuxiliaryFeatures.Find("decay", "data.auxiliary_features"));
        Assert.Contains("decay_time", e.Message);
    }

    [Fact]
    public void Axes_come_from_the_datasets_info()
    {
        using var dir = new TempDir();
        var config = TestSupport.Config("simple_saw", "dataset.size=10");
        var result = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File(config.DatasetName), WriteReports = false }
        );
        var axes = SpectrogramAxes.From(VimhDataset.Load(result.DatasetDirectory).Info);
        Assert.Equal(0.01, axes.FrameSeconds, 12); // hop 80 at 8 kHz
        Assert.Equal(100, axes.RowFrequencies![0], 9); // bin 1 of an 80-point FFT at 8 kHz
        Assert.True(axes.PixelsAreDecibels);
    }
}
