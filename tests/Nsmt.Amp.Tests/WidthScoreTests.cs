using Nsmt.Amp.Capture;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Tests;

/// <summary>
/// Amp evaluate scores every width of a slimmable model as Core plays it (a submodel serves sizes below its max_value),
/// against NAM Core's own renderings of Core's A2.nam: A2-Full is Core's default output, A2-Lite its size-0.3 output.
/// </summary>
public sealed class WidthScoreTests
{
    [NamFixtureFact]
    public void Each_A2_width_is_scored_named_counted_and_timed_as_Core_plays_it()
    {
        var model = NamFile.Load(CoreExamplesConformanceTests.CoreExample("A2.nam"));
        var input = NamFixtures.ReadMono("input_48k_f32.wav");
        var full = NamFixtures.ReadMono(Path.Combine("core-examples", "A2.core.wav"));
        var lite = NamFixtures.ReadMono(Path.Combine("core-examples", "A2.size0.3.core.wav"));
        var range = new SampleRange(0, input.Length);

        var widths = WidthScore.Measure(model, input, full, 48000, range, TanhMode.Exact);

        Assert.Equal(2, widths.Count);
        Assert.Equal<(double, double?, string?, int)>(
            (0.0, 0.5, "A2-Lite", 1871),
            (widths[0].Size, widths[0].MaxSize, widths[0].Preset, widths[0].Weights)
        );
        Assert.Equal<(double, double?, string?, int)>(
            (0.5, null, "A2-Full", 12146),
            (widths[1].Size, widths[1].MaxSize, widths[1].Preset, widths[1].Weights)
        );
        // Against Core's full output: A2-Full is Core's own (within the engine's 1e-5), A2-Lite is as far off as Core's Lite is.
        Assert.True(widths[1].EsrNam < 1e-8, $"A2-Full ESR {widths[1].EsrNam}");
        var coreLiteEsr = Metrics.Esr(lite, full);
        Assert.True(coreLiteEsr > 1e-3, $"the two widths of A2.nam differ: ESR {coreLiteEsr}");
        Assert.Equal(coreLiteEsr, widths[0].EsrNam, coreLiteEsr * 1e-3);
        Assert.All(widths, w => Assert.True(double.IsFinite(w.RealTimeFactor) && w.RealTimeFactor > 0));
    }

    [NamFixtureFact]
    public void A_slimmable_WaveNet_has_a_width_per_allowed_channel_count_and_a_plain_model_one()
    {
        var slimmable = NamFile.Load(CoreExamplesConformanceTests.CoreExample("slimmable_wavenet.nam"));
        var widths = slimmable.Widths();
        // allowed_channels [1, 2, 3]: size k/3 keeps allowed[k] (Core: allowed[min(floor(size * n), n - 1)]).
        Assert.Equal([0, 1 / 3.0, 2 / 3.0], widths.Select(w => w.Size));
        Assert.Equal(3, widths.Select(w => w.Model.Weights.Length).Distinct().Count());

        var plain = NamFile.Load(CoreExamplesConformanceTests.CoreExample("wavenet_a2_max.nam"));
        Assert.Equal([(1.0, plain)], plain.Widths().Select(w => (w.Size, w.Model)));
    }
}
