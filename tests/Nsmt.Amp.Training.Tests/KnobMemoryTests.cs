using Nsmt.Amp.Capture;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Knobs;
using Nsmt.Neural.Engine;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Tests;

/// <summary>
/// Issue 23 item 13 for knob training: the settings' pairs stay in their scratch files; building the windows, a
/// training step, a validation of every setting and the evaluation read windows and validation passages, so what they
/// allocate does not grow with the recordings' length.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class KnobMemoryTests : IDisposable
{
    internal const int Rate = 16_000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nsmt-knobmem-{Guid.NewGuid():N}");

    public KnobMemoryTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary><see cref="KnobTrainingTests.Tiny"/>: three gain settings (9 held out), a GRU of 12, 16 kHz.</summary>
    internal static KnobTrainConfig Config(params string[] overrides) =>
        KnobTrainConfig.Parse(KnobTrainingTests.Tiny, "tiny.yaml", overrides);

    /// <summary>
    /// Each setting's (DI, amp) pair of <paramref name="samples"/>: one seeded noise DI, and the DI through a
    /// setting's drive (tanh with the gain), so every setting's output differs.
    /// </summary>
    internal static (float[] Input, float[] Output)[] Signals(KnobTrainConfig config, int samples)
    {
        var random = new Random(5);
        var input = Enumerable.Range(0, samples).Select(_ => (float)(0.3 * ((random.NextDouble() * 2) - 1))).ToArray();
        return
        [
            .. config.Settings.Select(s =>
            {
                var drive = Math.Pow(10, s["gain_db"] / 20);
                return (input, input.Select(v => (float)Math.Tanh(drive * v)).ToArray());
            }),
        ];
    }

    /// <summary>The settings' pairs in scratch files in <paramref name="folder"/>: train on all but the last second, validate on it.</summary>
    internal static List<KnobCapture> Spilled(
        KnobTrainConfig config,
        (float[] Input, float[] Output)[] signals,
        string folder
    ) =>
        [
            .. config.Settings.Select(
                (setting, i) =>
                    new KnobCapture(
                        setting,
                        new AmpTrainingData(
                            AlignedSignals.Spill(signals[i].Input, signals[i].Output, folder),
                            Rate,
                            new SampleRange(0, signals[i].Input.Length - Rate),
                            new SampleRange(signals[i].Input.Length - Rate, Rate)
                        ),
                        config.HeldOut.Contains(setting)
                    )
            ),
        ];

    [Fact]
    public void Knob_windows_validation_and_evaluation_allocate_no_more_for_longer_recordings()
    {
        // ny 1024: the epoch's (setting, window) order, which does grow with the length, stays a few KB here.
        var config = Config("data.ny=1024");
        var device = TrainingEngine.Prepare(config.Amp.Training.Engine);
        var folder = Path.Combine(_root, "run");
        long Allocated(int seconds)
        {
            var captures = Spilled(config, Signals(config, seconds * Rate), _root);
            try
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                using (var scope = NewDisposeScope())
                using (var training = new KnobTraining(config, captures, RunDirectory.At(folder), device))
                {
                    training.BeginEpoch(0);
                    training.TrainStep(0);
                    KnobEvaluation.Write(training.Module, captures, training.ValidateSettings(), folder);
                }

                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
            finally
            {
                captures.ForEach(c => c.Data.Signals.Dispose());
            }
        }

        Allocated(10); // the first run's one-time costs (code, the model's types, the FFT's tables) are not the data's
        var forShort = Allocated(10);
        var forLong = Allocated(40);
        // Main copied every trained setting's DI and amp output to build its windows and every setting's whole pair at
        // each validation and in the evaluation: tens of MB more here.
        var extraSignalBytes = 30L * Rate * sizeof(float);
        Assert.True(
            forLong - forShort < extraSignalBytes / 10,
            $"10 s: {forShort:N0} bytes allocated, 40 s: {forLong:N0} (30 s of one signal is {extraSignalBytes:N0})"
        );
    }
}
