using Nsmt.Amp.Keras;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Amp.Training.Modules;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>One setting's aligned pair, and whether it is held out of training.</summary>
/// <remarks>
/// Training, validation and the evaluation read the pair through <see cref="AmpTrainingData.Signals"/> a window or a
/// validation passage at a time, never whole, so a long recording stays in its scratch file (issue 23 item 13).
/// </remarks>
public sealed record KnobCapture(KnobSetting Setting, AmpTrainingData Data, bool HeldOut)
{
    /// <summary>The setting's knob values in their own units (e.g. gain_db 9), in the order of its knobs.</summary>
    public IReadOnlyList<double> KnobValues => [.. Setting.Values.Select(v => v.Value)];

    /// <summary>The DI of the validation passage.</summary>
    public float[] ValidationInput() => Data.Signals.Input.Read(Data.Validation.Start, Data.Validation.Length);

    /// <summary>The amp's output on the validation passage.</summary>
    public float[] ValidationTarget() => Data.Signals.Output.Read(Data.Validation.Start, Data.Validation.Length);

    /// <summary>
    /// <paramref name="module"/>'s output on the validation passage at <paramref name="knobValues"/>, as floats: a fresh
    /// player run from the module's context before the passage (its burn-in or receptive field, real audio where the
    /// recording has it), that stretch alone read from the pair.
    /// </summary>
    public float[] PredictValidation(KnobModule module, IReadOnlyList<double> knobValues)
    {
        ArgumentNullException.ThrowIfNull(module);
        var range = Data.Validation;
        var start = Math.Max(0, range.Start - module.Context);
        var output = module.Process(Data.Signals.Input.Read(start, range.End - start), knobValues);
        var predicted = new float[range.Length];
        for (var i = 0; i < predicted.Length; i++)
        {
            predicted[i] = (float)output[range.Start - start + i];
        }

        return predicted;
    }
}

/// <summary>
/// The same DI through the amp at every setting, each pair ingested and checked like a normal capture
/// (alignment, validation replicate). The rig does not change between settings, so one alignment serves
/// all: the first recording's (detected unless data.latency gives it) is applied to the others. Recordings are
/// streamed into scratch files as AmpTrain's are (<see cref="AmpDataLoader.StreamFromFiles"/>), and the reference amp's
/// renders of a grid spilled to them (<see cref="AmpDataLoader.Load"/>), so loading many long settings holds bounded
/// memory; each capture's <see cref="AmpTrainingData.Signals"/> owns its file.
/// </summary>
public static class KnobCaptureSet
{
    /// <param name="scratchDirectory">Where recordings are streamed to (default: the temp directory, TMPDIR).</param>
    public static IReadOnlyList<KnobCapture> Load(KnobTrainConfig config, string? scratchDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var data = config.Amp.Data;
        var captures = new List<KnobCapture>();
        try
        {
            if (data.Source == DataSource.Reference)
            {
                foreach (var setting in config.Settings)
                {
                    // Each setting's render is made in memory, spilled to its scratch file and collected before the
                    // next, so a grid holds one render at a time, not all of them for the whole run.
                    var render = AmpDataLoader.Load(
                        data with
                        {
                            Amp = ReferenceAmpKnobs.Apply(data.Amp, setting, "knobs.grid"),
                        },
                        scratchDirectory: scratchDirectory
                    );
                    captures.Add(new KnobCapture(setting, render, config.HeldOut.Contains(setting)));
                }

                return captures;
            }

            var shared = data.Latency;
            foreach (var recording in config.Recordings)
            {
                var pair = AmpDataLoader.StreamFromFiles(
                    data with
                    {
                        ReampPath = recording.Path,
                        Latency = shared,
                    },
                    scratchDirectory
                );
                shared ??= pair.Latency?.Manual ?? pair.Latency?.Calibration?.Recommended;
                captures.Add(new KnobCapture(recording.Setting, pair, config.HeldOut.Contains(recording.Setting)));
            }
        }
        catch
        {
            // A later setting refused: the scratch files of those already read go now, not at exit.
            foreach (var capture in captures)
            {
                capture.Data.Signals.Dispose();
            }

            throw;
        }

        return captures;
    }
}
