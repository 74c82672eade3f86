using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>Parameter counts and layout from the tables of nam-format.md.</summary>
public sealed class PresetTests
{
    [Theory]
    [InlineData(WaveNetPreset.Standard, 13_802)]
    [InlineData(WaveNetPreset.Lite, 6_554)]
    [InlineData(WaveNetPreset.Feather, 3_026)]
    [InlineData(WaveNetPreset.Nano, 842)]
    public void WaveNet_presets_have_the_published_parameter_counts(WaveNetPreset preset, int expected)
    {
        var config = NamPresets.WaveNet(preset);
        Assert.Equal(expected, config.ParameterCount);
        Assert.Equal(expected, config.DescribeWeights().Sum(b => b.Length));
        Assert.Equal(4093, config.ReceptiveField);
        config.Validate();
    }

    [Theory]
    [InlineData(LstmPreset.Standard, 2_569)]
    [InlineData(LstmPreset.Lite, 905)]
    [InlineData(LstmPreset.Feather, 1_201)]
    [InlineData(LstmPreset.Nano, 709)]
    public void Lstm_presets_have_the_published_parameter_counts(LstmPreset preset, int expected)
    {
        var config = NamPresets.Lstm(preset);
        Assert.Equal(expected, config.ParameterCount);
        Assert.Equal(expected, config.DescribeWeights().Sum(b => b.Length));
        config.Validate();
    }

    [Fact]
    public void Standard_wavenet_weight_offsets_match_the_spec()
    {
        var blocks = NamPresets.WaveNet(WaveNetPreset.Standard).DescribeWeights();

        Assert.Equal(10_864, blocks.Single(b => b.Name == "layers[1].rechannel.weight").Offset);
        Assert.Equal(13_801, blocks.Single(b => b.Name == "head_scale").Offset);
        Assert.Equal(
            16 + 10 * 1072 + 128,
            blocks.Where(b => b.Name.StartsWith("layers[0]", StringComparison.Ordinal)).Sum(b => b.Length)
        );
        Assert.Equal(
            2_937,
            blocks.Where(b => b.Name.StartsWith("layers[1]", StringComparison.Ordinal)).Sum(b => b.Length)
        );

        // Blocks tile the weight vector without gaps or overlaps.
        for (var i = 1; i < blocks.Count; i++)
        {
            Assert.Equal(blocks[i - 1].Offset + blocks[i - 1].Length, blocks[i].Offset);
        }
    }

    [Fact]
    public void Lite_feather_nano_second_array_uses_the_thirteen_dilations()
    {
        int[] expected = [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
        foreach (var preset in new[] { WaveNetPreset.Lite, WaveNetPreset.Feather, WaveNetPreset.Nano })
        {
            var config = NamPresets.WaveNet(preset);
            Assert.Equal([1, 2, 4, 8, 16, 32, 64], config.LayerArrays[0].Dilations);
            Assert.Equal(expected, config.LayerArrays[1].Dilations);
            Assert.False(config.LayerArrays[0].HeadBias);
            Assert.True(config.LayerArrays[1].HeadBias);
        }
    }

    [Fact]
    public void Random_initialisation_is_deterministic_and_stores_the_head_scale_last()
    {
        var config = NamPresets.WaveNet(WaveNetPreset.Nano, headScale: 0.03f);
        var a = NamWeightInitializer.CreateRandom(config, seed: 1);

        Assert.Equal(a, NamWeightInitializer.CreateRandom(config, seed: 1));
        Assert.NotEqual(a, NamWeightInitializer.CreateRandom(config, seed: 2));
        Assert.Equal(0.03f, a[^1]);
    }

    [Theory]
    [InlineData(WaveNetPreset.Standard, 16, 8)]
    [InlineData(WaveNetPreset.Lite, 12, 6)]
    [InlineData(WaveNetPreset.Feather, 8, 4)]
    [InlineData(WaveNetPreset.Nano, 4, 2)]
    public void WaveNet_presets_read_from_configs_are_the_spec_table(WaveNetPreset preset, int channels, int headSize)
    {
        // nam-format.md: array 0 is 1 -> C with head H, array 1 is C -> H with head 1; K 3, Tanh, not gated, scale 0.02.
        var config = NamPresets.WaveNet(preset);
        var (first, second) = (config.LayerArrays[0], config.LayerArrays[1]);
        Assert.Equal(2, config.LayerArrays.Count);
        Assert.Equal((1, channels, headSize), (first.InputSize, first.Channels, first.HeadSize));
        Assert.Equal((channels, headSize, 1), (second.InputSize, second.Channels, second.HeadSize));
        Assert.All(config.LayerArrays, a =>
            Assert.Equal((3, "Tanh", false, 1), (a.KernelSize, a.Activation, a.Gated, a.ConditionSize))
        );
        Assert.Equal(0.02f, config.HeadScale);
    }

    [Fact]
    public void A_preset_file_is_data_read_through_the_nam_config_rules()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"nsmt-presets-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, NamPresetFile.LstmFile);
            File.WriteAllText(
                path,
                "architecture: LSTM\npresets:\n  tiny: {input_size: 1, hidden_size: 3, num_layers: 2}\n"
            );
            var tiny = Assert.IsType<LstmConfig>(NamPresetFile.Load(path)["tiny"]);
            Assert.Equal((3, 2), (tiny.HiddenSize, tiny.NumLayers));

            // A key a .nam config does not have is refused with the file and the field under the preset.
            File.WriteAllText(
                path,
                "architecture: LSTM\npresets:\n  tiny: {input_size: 1, hidden_size: 3, num_layers: 2, dropout: 0.1}\n"
            );
            var error = Assert.Throws<NamFormatException>(() => NamPresetFile.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.StartsWith("presets.tiny", error.Field, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
