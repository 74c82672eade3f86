using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>One setting's aligned pair, and whether it is held out of training.</summary>
public sealed record KnobCapture(KnobSetting Setting, AmpTrainingData Data, bool HeldOut);

/// <summary>
/// The same DI through the amp at every setting, each pair ingested and checked like a normal capture
/// (alignment, validation replicate). The rig does not change between settings, so one alignment serves
/// all: the first recording's (detected unless data.latency gives it) is applied to the others. Recordings are
/// streamed into scratch files as AmpTrain's are (<see cref="AmpDataLoader.StreamFromFiles"/>), so loading many long
/// settings holds bounded memory; each capture's <see cref="AmpTrainingData.Signals"/> owns its file.
/// </summary>
public static class KnobCaptureSet
{
    /// <param name="scratchDirectory">Where recordings are streamed to (default: the temp directory, TMPDIR).</param>
    public static IReadOnlyList<KnobCapture> Load(KnobTrainConfig config, string? scratchDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var data = config.Amp.Data;
        if (data.Source == DataSource.Reference)
        {
            return config
                .Settings.Select(setting => new KnobCapture(
                    setting,
                    AmpDataLoader.FromReferenceAmp(
                        data with
                        {
                            Amp = ReferenceAmpKnobs.Apply(data.Amp, setting, "knobs.grid"),
                        }
                    ),
                    config.HeldOut.Contains(setting)
                ))
                .ToList();
        }

        var captures = new List<KnobCapture>();
        var shared = data.Latency;
        try
        {
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
            // A later recording refused: the scratch files of those already read go now, not at exit.
            foreach (var capture in captures)
            {
                capture.Data.Signals.Dispose();
            }

            throw;
        }

        return captures;
    }
}
