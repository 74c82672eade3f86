using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Nsmt.Config;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Features;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Spectral.Data.Tests;

/// <summary>generate.level: absolute (one dB range per dataset) against the spec's worked sample and plain dB arithmetic.</summary>
public class LevelScalingTests
{
    private static byte[] Render(GeneratorConfig config, double velocity, double decay) =>
        DatasetGenerator.RenderRecord(
            config,
            new Dictionary<string, double> { ["note_velocity"] = velocity, ["log10_decay_time"] = decay }
        );

    /// <summary>simple_saw with generate.level <paramref name="mode"/> on the -80..+20 dB range.</summary>
    private static GeneratorConfig OnFixedRange(string mode) =>
        TestSupport.Config("simple_saw", $"generate.level={mode}", "generate.db_floor=-80", "generate.db_ceiling=20");

    /// <summary>A dataset generated into <paramref name="dir"/>; returns its folder and its info JSON.</summary>
    private static (string Directory, JsonObject Info) Generate(TempDir dir, GeneratorConfig config)
    {
        var result = DatasetGenerator.Generate(
            config,
            new GenerationOptions { OutputDirectory = dir.File(config.DatasetName), WriteReports = false }
        );
        var info = JsonNode
            .Parse(File.ReadAllText(Path.Combine(result.DatasetDirectory, VimhFormat.InfoFileName)))!
            .AsObject();
        return (result.DatasetDirectory, info);
    }

    [Fact]
    public void Worked_sample_maps_its_spec_range_into_the_fixed_range()
    {
        var config = OnFixedRange("absolute");

        var record = Render(config, 127, -0.3);

        // The spec's worked sample spans -24.0520 .. 9.00355 dB. On -80..20 dB: round((9.00355 + 80) / 100 * 255) = round(226.96) = 227
        // and round((-24.0520 + 80) / 100 * 255) = round(142.67) = 143.
        ReadOnlySpan<byte> image = record.AsSpan(19);
        Assert.Equal(227, image.ToArray().Max());
        Assert.Equal(143, image.ToArray().Min());
        // The record's spec_min/spec_max are the fixed range, so spec_min + p/255*(spec_max - spec_min) still decodes dB.
        Assert.Equal(-80f, BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(6)));
        Assert.Equal(20f, BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(10)));
        // The labels are untouched by the image scaling: the spec's bytes 14-18.
        Assert.Equal(new byte[] { 0x02, 0x00, 0xff, 0x01, 0xbc }, record[14..19]);
    }

    [Fact]
    public void Halving_the_velocity_darkens_absolute_images_by_6_dB_and_leaves_minmax_images_unchanged()
    {
        var minMax = TestSupport.Config("simple_saw");
        var absolute = OnFixedRange("absolute");

        // The synth is linear in velocity: velocity 63.5 is the 127 signal times 1/2, every dB value 20*log10(2) = 6.0206 lower,
        // 6.0206 * 255/100 = 15.35 pixel steps on a 100 dB range (15 or 16 after rounding; clipped pixels excepted).
        // Per-image min-max scaling removes the offset entirely: that is why NSMT's note_velocity head cannot learn.
        Assert.Equal(Render(minMax, 127, -0.3).AsSpan(19).ToArray(), Render(minMax, 63.5, -0.3).AsSpan(19).ToArray());
        byte[] loud = Render(absolute, 127, -0.3)[19..],
            soft = Render(absolute, 63.5, -0.3)[19..];
        for (var i = 0; i < loud.Length; i++)
        {
            Assert.InRange(loud[i] - soft[i], 15, 16);
        }
    }

    [Fact]
    public void Dataset_records_the_range_in_its_info_and_loads_back()
    {
        using var dir = new TempDir();
        var config = TestSupport.Config(
            "simple_saw",
            "dataset.size=20",
            "generate.level=absolute",
            "generate.db_floor=-70.5",
            "generate.db_ceiling=12"
        );
        var (directory, info) = Generate(dir, config);
        var level = info[LevelScaling.InfoKey]!.AsObject();
        Assert.Equal("absolute", (string?)level["mode"]);
        Assert.Equal(-70.5, (double)level["db_floor"]!);
        Assert.Equal(12, (double)level["db_ceiling"]!);

        // Apart from that key the info is the min-max dataset's, so NSMT's loader (which reads only the keys it knows) sees the same.
        using var other = new TempDir();
        var (_, plainInfo) = Generate(other, TestSupport.Config("simple_saw", "dataset.size=20"));
        Assert.False(plainInfo.ContainsKey(LevelScaling.InfoKey));
        info.Remove(LevelScaling.InfoKey);
        foreach (var o in new[] { info, plainInfo })
        {
            o["nsmt_net"]!.AsObject().Remove("train_sha256");
            o["nsmt_net"]!.AsObject().Remove("test_sha256");
        }

        Assert.Equal(plainInfo.ToJsonString(), info.ToJsonString());

        var ds = VimhDataset.Load(directory);
        Assert.Equal(16, ds.Train.Count);
        Assert.All(ds.Train.SpecMin.ToArray(), v => Assert.Equal(-70.5f, v));
        Assert.All(ds.Train.SpecMax.ToArray(), v => Assert.Equal(12f, v));
    }

    [Fact]
    public void Both_writes_the_minmax_image_and_the_absolute_image_as_two_channels_of_one_record()
    {
        var minMax = TestSupport.Config("simple_saw");
        var absolute = OnFixedRange("absolute");
        var both = OnFixedRange("both");
        Assert.Equal(2, both.Channels);
        Assert.StartsWith("vimh-32x32x2_", both.DatasetName, StringComparison.Ordinal);

        var record = Render(both, 127, -0.3);
        var plain = Render(minMax, 127, -0.3);
        // Header: H, W, C = 2, then spec_min/spec_max of the min-max image (the spec's worked sample: -24.0520 .. 9.00355 dB),
        // so channel 0 decodes with the record's own fields exactly as NSMT's record does; the labels are the spec's bytes.
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4)));
        Assert.Equal(plain[6..19], record[6..19]);
        Assert.Equal(-24.052f, BinaryPrimitives.ReadSingleLittleEndian(record.AsSpan(6)), 3);
        Assert.Equal(19 + (2 * 32 * 32), record.Length);
        // Channel 0 is byte-identical to the min-max image, channel 1 to the absolute image (227 at the peak, as above).
        Assert.Equal(plain[19..], record[19..(19 + 1024)]);
        Assert.Equal(Render(absolute, 127, -0.3)[19..], record[(19 + 1024)..]);
        Assert.Equal(227, record[(19 + 1024)..].Max());

        // Halving the velocity leaves channel 0 alone and darkens channel 1 by 6 dB (15-16 steps, as the absolute images).
        var soft = Render(both, 63.5, -0.3);
        Assert.Equal(record[19..(19 + 1024)], soft[19..(19 + 1024)]);
        Assert.Equal(227 - 15, soft[(19 + 1024)..].Max(), 1.0);
    }

    [Fact]
    public void A_both_dataset_labels_its_channels_records_the_range_and_loads_back_with_the_level_features()
    {
        using var dir = new TempDir();
        var (directory, info) = Generate(
            dir,
            TestSupport.Config("simple_saw", "dataset.size=20", "generate.level=both")
        );
        Assert.Equal(2, (int)info["channels"]!);
        Assert.Equal("32x32x2", (string?)info["image_size"]);
        Assert.Equal(["Gray", "Gray_absolute"], info["channel_labels"]!.AsArray().Select(l => (string?)l));
        Assert.Equal("both", (string?)info[LevelScaling.InfoKey]!["mode"]);
        Assert.Equal(-80, (double)info[LevelScaling.InfoKey]!["db_floor"]!);

        // The same clips as the min-max dataset: channel 0 and spec_min/spec_max match it record for record, so the
        // level feature decoded from channel 0 (rms_db) is the min-max dataset's.
        using var other = new TempDir();
        var ds = VimhDataset.Load(directory);
        var plainDs = VimhDataset.Load(Generate(other, TestSupport.Config("simple_saw", "dataset.size=20")).Directory);
        Assert.Equal(2, ds.Train.Channels);
        Assert.Equal(plainDs.Train.SpecMin.ToArray(), ds.Train.SpecMin.ToArray());
        for (var i = 0; i < ds.Train.Count; i++)
        {
            Assert.Equal(plainDs.Train.Image(i).ToArray(), ds.Train.Image(i)[..1024].ToArray());
        }

        var rms = AuxiliaryFeatures.Find("rms_db", "test");
        Assert.Equal(
            AuxiliaryFeatures.Compute([rms], plainDs.Train, SpectrogramAxes.From(plainDs.Info)),
            AuxiliaryFeatures.Compute([rms], ds.Train, SpectrogramAxes.From(ds.Info))
        );
    }

    [Theory]
    [InlineData(
        new[] { "generate.level=absolute", "generate.db_floor=0", "generate.db_ceiling=-10" },
        "field 'generate.db_ceiling': expected a number above generate.db_floor (0)"
    )]
    [InlineData(new[] { "generate.level=loud" }, "field 'generate.level': expected one of minmax, absolute, both")]
    [InlineData(
        new[] { "generate.level=both", "generate.channels=3" },
        "field 'generate.channels': expected 1 with generate.level: both"
    )]
    [InlineData(
        new[] { "generate.level=both", "generate.spectral_envelope=true" },
        "field 'generate.level': expected minmax with envelope channels"
    )]
    [InlineData(
        new[] { "generate.level=absolute", "generate.temporal_envelope=true" },
        "field 'generate.level': expected minmax with envelope channels"
    )]
    public void Bad_level_settings_are_errors_naming_the_field(string[] overrides, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => TestSupport.Config("simple_saw", overrides));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_bad_range_in_a_file_names_the_file_and_line()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(TestSupport.ShippedConfig("simple_saw"))
            .Replace("  channels: 1", "  channels: 1\n  level: absolute\n  db_floor: -20\n  db_ceiling: -30");
        var path = dir.WriteYaml(text);
        var e = Assert.Throws<ConfigException>(() => GeneratorConfig.Load(path));
        Assert.Contains(path + ":", e.Message);
        Assert.Contains("generate.db_ceiling", e.Message);
    }
}
