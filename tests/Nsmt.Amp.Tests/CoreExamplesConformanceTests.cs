using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>
/// NAM Core's own example models of the 0.6/0.7 format (A2, every WaveNet option, slimmable models)
/// against NAM Core HEAD's rendering of the conformance input through each (../shared/fixtures/nam/core-examples).
/// </summary>
public sealed class CoreExamplesConformanceTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>Model, Core's output, slimmable size Core was set to (1: its default, the full model).</summary>
    public static TheoryData<string, string, double> Cases =>
        new()
        {
            { "A2.nam", "A2.core.wav", 1.0 },
            { "A2.nam", "A2.size0.3.core.wav", 0.3 },
            { "wavenet_a2_max.nam", "wavenet_a2_max.core.wav", 1.0 },
            { "slimmable_wavenet.nam", "slimmable_wavenet.core.wav", 1.0 },
            { "slimmable_container.nam", "slimmable_container.core.wav", 1.0 },
            { "wavenet_condition_dsp.nam", "wavenet_condition_dsp.core.wav", 1.0 },
        };

    public static TheoryData<string, string, double, int> CasesByBlock()
    {
        var data = new TheoryData<string, string, double, int>();
        foreach (var row in Cases)
        {
            foreach (var block in new[] { 1, 64, 1000 })
            {
                data.Add((string)row[0], (string)row[1], (double)row[2], block);
            }
        }

        return data;
    }

    [NamFixtureTheory]
    [MemberData(nameof(CasesByBlock))]
    public void Streaming_engine_reproduces_core(string modelFile, string expectedFile, double size, int block)
    {
        var model = NamFile.Load(CoreExample(modelFile));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(Path.Combine("core-examples", expectedFile));
        var engine = NamEngineFactory.Create(model, TanhMode.Exact, size);

        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += block)
        {
            var count = Math.Min(block, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        ConformanceTests.AssertClose(expected, output, Tolerance);
    }

    /// <summary>
    /// A2-Lite and the slimmable WaveNet (3 channels, leaky ReLU / ReLU) take the fused 3-channel kernel; each vector
    /// width it has (512-bit, 256-bit, 128-bit as on ARM) must play them as Core does, whatever this CPU picks.
    /// </summary>
    [NamFixtureTheory]
    [InlineData("A2.nam", "A2.size0.3.core.wav", 0.3, 16)]
    [InlineData("A2.nam", "A2.size0.3.core.wav", 0.3, 8)]
    [InlineData("A2.nam", "A2.size0.3.core.wav", 0.3, 4)]
    [InlineData("slimmable_wavenet.nam", "slimmable_wavenet.core.wav", 1.0, 4)]
    public void Three_channel_kernel_reproduces_core_at_each_vector_width(
        string modelFile,
        string expectedFile,
        double size,
        int lanes
    )
    {
        var model = NamFile.Load(CoreExample(modelFile)).AtSize(size);
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(Path.Combine("core-examples", expectedFile));
        var engine = new ExtendedWaveNetEngine(model, TanhMode.Exact, lanes);

        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += 64)
        {
            var count = Math.Min(64, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        ConformanceTests.AssertClose(expected, output, Tolerance);
    }

    [NamFixtureFact]
    public void A2_sizes_select_submodels_as_core_does()
    {
        var container = Assert.IsType<SlimmableContainerConfig>(NamFile.Load(CoreExample("A2.nam")).Config);
        int ChannelsAt(double size) =>
            ((ExtendedWaveNetConfig)container.SubmodelForSize(size).Model.Config).LayerArrays[0].Channels;

        // A submodel serves sizes below its max_value: 0.5 already selects A2-Full.
        Assert.Equal(3, ChannelsAt(0.0));
        Assert.Equal(3, ChannelsAt(0.49));
        Assert.Equal(8, ChannelsAt(0.5));
        Assert.Equal(8, ChannelsAt(1.0));
    }

    [NamFixtureFact]
    public void Core_example_weight_counts_are_as_published()
    {
        var container = (SlimmableContainerConfig)NamFile.Load(CoreExample("A2.nam")).Config;
        Assert.Equal([1871, 12146], container.Submodels.Select(s => s.Model.Weights.Length));
        Assert.Equal([0.5, 1.0], container.Submodels.Select(s => s.MaxValue));
    }

    [NamFixtureFact]
    public void Slimmable_wavenet_sizes_differ_from_the_full_model()
    {
        var model = NamFile.Load(CoreExample("slimmable_wavenet.nam"));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var full = Render(model, input, 1.0);
        var slim = Render(model, input, 0.0);
        Assert.True(
            full.Zip(slim, (a, b) => MathF.Abs(a - b)).Max() > 100 * Tolerance,
            "size 0 should play the 1-channel slice"
        );
        var config = (ExtendedWaveNetConfig)model.Config;
        Assert.Equal([1], config.ChannelsForSize(0.0));
        Assert.Equal([2], config.ChannelsForSize(0.34));
        Assert.Equal([3], config.ChannelsForSize(0.67));
        Assert.Equal([3], config.ChannelsForSize(1.0));
    }

    private static float[] Render(NamModel model, float[] input, double size)
    {
        var output = new float[input.Length];
        NamEngineFactory.Create(model, TanhMode.Exact, size).Process(input, output);
        return output;
    }

    internal static string CoreExample(string fileName) => NamFixtures.PathOf(Path.Combine("core-examples", fileName));
}
