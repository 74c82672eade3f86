using System.Text;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The 0.6 WaveNet writer against NAM Core's own example models: each written in both key sets reads back to the
/// same config and weights, and our engine plays the written file as Core rendered the original.
/// </summary>
public sealed class ExtendedWaveNetWriterTests
{
    /// <summary>Core's WaveNet examples (gating, FiLM, head1x1, grouped convs, slimmable arrays, condition DSPs), and A2's widths.</summary>
    public static TheoryData<string, int?, string, WaveNetKeySet> Cases()
    {
        var data = new TheoryData<string, int?, string, WaveNetKeySet>();
        foreach (var keys in Enum.GetValues<WaveNetKeySet>())
        {
            data.Add("wavenet_a2_max.nam", null, "wavenet_a2_max.core.wav", keys);
            data.Add("wavenet_condition_dsp.nam", null, "wavenet_condition_dsp.core.wav", keys);
            data.Add("slimmable_wavenet.nam", null, "slimmable_wavenet.core.wav", keys);
            data.Add("A2.nam", 1, "A2.core.wav", keys); // A2-Full: Core's default size plays the last submodel
        }

        return data;
    }

    [NamFixtureTheory]
    [MemberData(nameof(Cases))]
    public void A_written_wavenet_reads_back_equal_and_plays_as_core(
        string file,
        int? submodel,
        string rendering,
        WaveNetKeySet keys
    )
    {
        var loaded = NamFile.Load(CoreExamplesConformanceTests.CoreExample(file));
        var original = submodel is { } i ? ((SlimmableContainerConfig)loaded.Config).Submodels[i].Model : loaded;
        var json = Write(original, keys);
        var back = NamFile.Parse(json, file);
        AssertSameModel(original, back);

        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var expected = NamFixtures.ReadMono(Path.Combine("core-examples", rendering));
        var engine = NamEngineFactory.Create(back, TanhMode.Exact, 1.0);
        var output = new float[input.Length];
        for (var start = 0; start < input.Length; start += 1000)
        {
            var count = Math.Min(1000, input.Length - start);
            engine.Process(input.AsSpan(start, count), output.AsSpan(start, count));
        }

        ConformanceTests.AssertClose(expected, output, 1e-5f);
    }

    [Fact]
    public void The_compact_key_set_leaves_out_what_cores_defaults_give()
    {
        var layers = new ExtendedLayerArrayConfig
        {
            InputSize = 1,
            Channels = 2,
            Bottleneck = 2,
            KernelSizes = [3, 3],
            Dilations = [1, 2],
            Activations = [NamActivation.Tanh, NamActivation.Tanh],
            GatingModes = [GatingMode.None, GatingMode.None],
            SecondaryActivations = [null, null],
            HeadSize = 1,
            HeadBias = true,
            Head1x1OutChannels = 2,
        };
        var config = new ExtendedWaveNetConfig { LayerArrays = [layers], HeadScale = 0.5f };
        var model = new NamModel(config, new float[config.ParameterCount], 48_000, null, "0.6.0");

        var compact = Write(model, WaveNetKeySet.Compact);
        Assert.Contains(
            "\"layers\":[{\"input_size\":1,\"condition_size\":1,\"head\":{\"out_channels\":1,\"kernel_size\":1,\"bias\":true},"
                + "\"channels\":2,\"kernel_size\":3,\"dilations\":[1,2],\"activation\":\"Tanh\",\"layer1x1\":{\"active\":true,\"groups\":1}}]",
            compact,
            StringComparison.Ordinal
        );
        var complete = JsonDocument.Parse(Write(model, WaveNetKeySet.Complete));
        var array = complete.RootElement.GetProperty("config").GetProperty("layers")[0];
        Assert.Equal(
            [
                "input_size",
                "condition_size",
                "head",
                "channels",
                "kernel_sizes",
                "dilations",
                "activation",
                "bottleneck",
                "head1x1",
                "layer1x1",
                "groups_input",
                "groups_input_mixin",
                "conv_pre_film",
                "conv_post_film",
                "input_mixin_pre_film",
                "input_mixin_post_film",
                "activation_pre_film",
                "activation_post_film",
                "layer1x1_post_film",
                "head1x1_post_film",
                "gating_mode",
                "secondary_activation",
                "slimmable",
            ],
            array.EnumerateObject().Select(p => p.Name)
        );
        foreach (var json in new[] { compact, complete.RootElement.GetRawText() })
        {
            AssertSameModel(model, NamFile.Parse(json));
        }
    }

    private static string Write(NamModel model, WaveNetKeySet keys)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            ExtendedWaveNetWriter.WriteModel(writer, model, keys);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Config (a condition DSP compared as a model: configs hold it by reference), weights and rate.</summary>
    private static void AssertSameModel(NamModel expected, NamModel actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.SampleRate, actual.SampleRate);
        Assert.Equal(expected.Weights, actual.Weights);
        var e = Assert.IsType<ExtendedWaveNetConfig>(expected.Config);
        var a = Assert.IsType<ExtendedWaveNetConfig>(actual.Config);
        Assert.Equal(e with { ConditionDsp = null }, a with { ConditionDsp = null });
        Assert.Equal(e.ConditionDsp is null, a.ConditionDsp is null);
        if (e.ConditionDsp is { } dsp)
        {
            AssertSameModel(dsp, a.ConditionDsp!);
        }
    }
}
