using Nsmt.Amp.Architectures;

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
        Assert.Equal(16 + 10 * 1072 + 128, blocks.Where(b => b.Name.StartsWith("layers[0]", StringComparison.Ordinal)).Sum(b => b.Length));
        Assert.Equal(2_937, blocks.Where(b => b.Name.StartsWith("layers[1]", StringComparison.Ordinal)).Sum(b => b.Length));

        // Blocks tile the weight vector without gaps or overlaps.
        for (int i = 1; i < blocks.Count; i++)
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
        float[] a = NamWeightInitializer.CreateRandom(config, seed: 1);

        Assert.Equal(a, NamWeightInitializer.CreateRandom(config, seed: 1));
        Assert.NotEqual(a, NamWeightInitializer.CreateRandom(config, seed: 2));
        Assert.Equal(0.03f, a[^1]);
    }
}
