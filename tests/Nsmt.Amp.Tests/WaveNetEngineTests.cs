using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;

namespace Nsmt.Amp.Tests;

public sealed class WaveNetEngineTests
{
    public static TheoryData<int, TanhMode> BlocksAndModes()
    {
        var data = new TheoryData<int, TanhMode>();
        foreach (var block in new[] { 1, 7, 64, 300, 4096 })
        {
            data.Add(block, TanhMode.Exact);
            data.Add(block, TanhMode.Fast);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BlocksAndModes))]
    public void Gated_odd_sized_model_matches_the_reference_forward_pass(int block, TanhMode mode)
    {
        var model = TestModels.Random(TestModels.OddGatedConfig());
        var input = TestModels.Signal(3000);
        var expected = ReferenceModels.WaveNet(model, input, mode == TanhMode.Fast);

        var output = TestModels.Stream(new WaveNetEngine(model, mode), input, block);

        TestModels.AssertClose(expected, output, 2e-5);
    }

    [Theory]
    [InlineData(WaveNetPreset.Lite)]
    [InlineData(WaveNetPreset.Nano)]
    public void Presets_match_the_reference_forward_pass(WaveNetPreset preset)
    {
        // Head scale 1 so the comparison is not shrunk by NAM's 0.02.
        var model = TestModels.Random(NamPresets.WaveNet(preset, headScale: 1f), seed: 5);
        var input = TestModels.Signal(1200);
        var expected = ReferenceModels.WaveNet(model, input, fastTanh: false);

        TestModels.AssertClose(expected, TestModels.Stream(new WaveNetEngine(model), input, 64), 1e-4);
        TestModels.AssertClose(expected, NamOfflineProcessor.Process(model, input, chunkSize: 500), 1e-4);
    }

    [Fact]
    public void Offline_path_matches_the_reference_for_the_gated_model()
    {
        var model = TestModels.Random(TestModels.OddGatedConfig());
        var input = TestModels.Signal(3000);
        var expected = ReferenceModels.WaveNet(model, input, fastTanh: false);

        TestModels.AssertClose(expected, NamOfflineProcessor.Process(model, input), 2e-5);
    }

    [Fact]
    public void Chunked_offline_processing_gives_the_same_samples_as_one_pass()
    {
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Feather, headScale: 1f));
        var input = TestModels.Signal(20000);

        var onePass = NamOfflineProcessor.Process(model, input, chunkSize: input.Length);
        foreach (var chunk in new[] { 999, 4096, 7000 })
        {
            Assert.Equal(onePass, NamOfflineProcessor.Process(model, input, chunkSize: chunk));
        }
    }

    [Fact]
    public void Streaming_equals_offline_over_many_history_moves()
    {
        // Long enough that the layer buffers move their history to the front many times.
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Lite, headScale: 1f));
        var input = TestModels.Signal(30000);

        var offline = NamOfflineProcessor.Process(model, input);
        var streamed = TestModels.Stream(new WaveNetEngine(model), input, 61);

        TestModels.AssertClose(offline.Select(v => (double)v).ToArray(), streamed, 1e-5);
    }

    [Fact]
    public void Reset_returns_to_the_prewarmed_state()
    {
        var model = TestModels.Random(TestModels.OddGatedConfig());
        var input = TestModels.Signal(2000);
        var engine = new WaveNetEngine(model);

        var first = TestModels.Stream(engine, input, 64);
        engine.Reset();
        var second = TestModels.Stream(engine, input, 64);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Prewarm_settles_the_model_so_silence_gives_a_constant_output_from_the_first_sample()
    {
        // A WaveNet is a finite-memory filter: after RF samples of silence its output is constant.
        // Zeroed histories without prewarm would give different values during the first RF samples.
        var model = TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Nano, headScale: 1f));
        var engine = new WaveNetEngine(model);
        var output = TestModels.Stream(engine, new float[5000], 64);

        Assert.NotEqual(0f, output[0]);
        Assert.All(output, y => Assert.Equal(output[^1], y, 6));
    }

    [Fact]
    public void Process_allocates_nothing_after_construction()
    {
        var engine = new WaveNetEngine(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Standard)));
        Assert.Equal(0, TestModels.AllocatedBytesWhileProcessing(engine, [1, 7, 64, 300, 4096]));
    }

    [Fact]
    public void Engine_uses_the_last_weight_as_head_scale_like_core()
    {
        var config = TestModels.OddGatedConfig();
        var model = TestModels.Random(config);
        var input = TestModels.Signal(500);
        var baseline = TestModels.Stream(new WaveNetEngine(model), input, 64);

        var weights = (float[])model.Weights.Clone();
        weights[^1] *= 2;
        var doubled = new NamModel(config, weights, 48000);
        var scaled = TestModels.Stream(new WaveNetEngine(doubled), input, 64);

        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal(2 * baseline[i], scaled[i], 6);
        }
    }

    [Fact]
    public void Reports_zero_latency_and_the_receptive_field()
    {
        var engine = new WaveNetEngine(TestModels.Random(NamPresets.WaveNet(WaveNetPreset.Standard)));
        Assert.Equal(0, ((INamEngine)engine).Latency);
        Assert.Equal(4093, engine.ReceptiveField);
    }
}
