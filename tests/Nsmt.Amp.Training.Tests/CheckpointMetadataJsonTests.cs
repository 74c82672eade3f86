using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Neural.Training;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// The JSON a checkpoint carries in its metadata, written from source-generated records, is the bytes main's reflection
/// serializer wrote for the same values (the expected texts below; these tests passed on main's writers before the
/// conversion). They cover named literals (NaN, infinity), escaping (a '+' of 1E+20) and the property order.
/// </summary>
public sealed class CheckpointMetadataJsonTests
{
    [Fact]
    public void Training_state_is_mains_bytes()
    {
        var state = new TrainingState
        {
            EpochsCompleted = 3,
            GlobalStep = 120,
            ElapsedSeconds = 12.5,
            BestValue = 0.0123,
            BestEpoch = 1,
            EarlyStoppingBest = double.NaN,
            EarlyStoppingWait = 1,
            TopK = [new RankedCheckpoint(1, 0.0123, "epoch=001.ckpt"), new RankedCheckpoint(0, 1e-7, "epoch=000.ckpt")],
            MetricBests = new() { ["val/esr_best"] = 0.0123 },
            Scheduler = new() { ["last_epoch"] = 3, ["lr"] = 0.004 },
            Metrics = new() { ["val/esr"] = double.PositiveInfinity, ["train/loss"] = 0.5 },
        };

        Assert.Equal(
            """{"EpochsCompleted":3,"GlobalStep":120,"ElapsedSeconds":12.5,"BestValue":0.0123,"BestEpoch":1,"EarlyStoppingBest":"NaN","EarlyStoppingWait":1,"TopK":[{"Epoch":1,"Value":0.0123,"FileName":"epoch=001.ckpt"},{"Epoch":0,"Value":1E-07,"FileName":"epoch=000.ckpt"}],"MetricBests":{"val/esr_best":0.0123},"Scheduler":{"last_epoch":3,"lr":0.004},"Metrics":{"val/esr":"Infinity","train/loss":0.5}}""",
            state.ToJson()
        );
    }

    [Fact]
    public void Knob_setting_esr_is_mains_bytes()
    {
        SettingEsr[] esr =
        [
            new(new KnobSetting([new("gain", 2.0), new("tone", -0.5)]), false, 0.01),
            new(new KnobSetting([new("gain", 1e20), new("tone", 0.1)]), true, 0.25),
        ];

        Assert.Equal(
            """[{"Setting":"gain=2,tone=-0.5","HeldOut":false,"Esr":0.01},{"Setting":"gain=1E\u002B20,tone=0.1","HeldOut":true,"Esr":0.25}]""",
            KnobTraining.SettingEsrJson(esr)
        );
    }
}
