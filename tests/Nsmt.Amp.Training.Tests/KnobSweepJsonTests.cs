using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Knobs;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// knob_sweep.json, written from records, is the bytes main's anonymous objects gave for the same sweeps (the expected
/// text below; this test passed on main's writer before the conversion): nulls, both booleans, the others' rounding.
/// </summary>
public sealed class KnobSweepJsonTests
{
    [Fact]
    public void Sweep_verdicts_are_mains_bytes()
    {
        var setting = new KnobSetting([new("gain", 5.0), new("tone", 0.12345)]);
        KnobSweep[] sweeps =
        [
            new("gain", setting, [new(0, -20, 900), new(10, -10, 1200)], [new(0, -21, 950), new(10, -9, 1100)]),
            new("tone", setting, [new(0, -12, 800), new(0.5, -14, 1500), new(1, -11, 2500)], [new(0.5, -12, 1400)]),
        ];

        Assert.Equal(
            """
            [
              {
                "knob": "gain",
                "others": "tone=0.123",
                "amp_level_monotone": true,
                "model_level_monotone": true,
                "level_follows_amp": true
              },
              {
                "knob": "tone",
                "others": "gain=5",
                "amp_level_monotone": null,
                "model_level_monotone": false,
                "level_follows_amp": null
              }
            ]
            """,
            KnobEvaluation.SweepVerdictsJson(sweeps).ReplaceLineEndings("\n")
        );
    }
}
