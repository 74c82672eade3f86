using Nsmt.Amp.Capture;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Training.Export;

/// <summary>
/// The <c>metadata</c> of a trained model's <c>.nam</c>: date, loudness and gain measured on the
/// model, the gear fields of the config, and the training facts (latency, data checks, validation ESR).
/// </summary>
public static class TrainedModelMetadata
{
    /// <summary>
    /// The 1 s reference clip for loudness and gain: the guitar validation passage of a capture
    /// signal with 1 s passages and seed 0, at the model's rate. NAM uses a recorded DI clip that we
    /// do not ship; this one is deterministic and guitar-like, so levels compare between our models.
    /// </summary>
    public static float[] ReferenceClip(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        // Generating the capture takes a moment; every export of a run asks for the same clip.
        return (float[])Clips.GetOrAdd(sampleRate, MakeClip).Clone();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Clips = new();

    private static float[] MakeClip(int sampleRate)
    {
        // The capture signal starts at 16 kHz; a lower-rate model gets the clip resampled.
        var rate = Math.Max(sampleRate, MinimumCaptureRate);
        var capture = CaptureSignal.Generate(
            new CaptureSignalOptions
            {
                SampleRate = rate,
                Seconds = 8,
                ValidationSeconds = 1,
                Seed = 0,
            }
        );
        var clip = capture.Samples.AsSpan(capture.ValidationRange.Start, rate).ToArray();
        return rate == sampleRate
            ? clip
            : new Resampler(rate, sampleRate).Process(clip).AsSpan(0, sampleRate).ToArray();
    }

    private const int MinimumCaptureRate = 16_000;

    /// <summary>dB RMS of the model's output on the clip.</summary>
    public static double Loudness(AmpModule module, float[] clip) => 20 * Math.Log10(Rms(module.Process(clip)));

    /// <summary>
    /// nam-format.md's compression estimate: r(g) = output RMS with the clip scaled by g = 0, 0.1, ..., 1;
    /// S = sum r(g); max = 11 r(1); min = max/2; gain = clip((S - min) / (max - min), 0, 1).
    /// A linear model gives 0 (S = 5.5 r(1) = min), a hard limiter close to 1.
    /// </summary>
    public static double Gain(AmpModule module, float[] clip)
    {
        double sum = 0,
            atFull = 0;
        for (var step = 0; step <= 10; step++)
        {
            var g = step / 10f;
            var r = Rms(module.Process(clip.Select(v => v * g).ToArray()));
            sum += r;
            if (step == 10)
            {
                atFull = r;
            }
        }

        double max = 11 * atFull,
            min = max / 2;
        return max > min ? Math.Clamp((sum - min) / (max - min), 0, 1) : 0;
    }

    /// <summary>The gear fields of the recipe's <c>metadata:</c> plus what export measures and records.</summary>
    public static NamMetadata Build(
        AmpModule module,
        int sampleRate,
        NamMetadata gear,
        NamTrainingData? data,
        double? validationEsr,
        DateTime now
    )
    {
        var clip = ReferenceClip(sampleRate);
        return gear with
        {
            Date = new NamDate(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second),
            Loudness = Loudness(module, clip),
            Gain = Gain(module, clip),
            Training = new NamTrainingMetadata
            {
                Settings = new NamTrainingSettings { IgnoreChecks = false },
                Data = data,
                ValidationEsr = validationEsr,
            },
        };
    }

    private static double Rms(float[] samples)
    {
        double sum = 0;
        foreach (var v in samples)
        {
            sum += (double)v * v;
        }

        // A silent output has no level in dB; report the floor of float32 rather than -infinity.
        return Math.Max(Math.Sqrt(sum / Math.Max(1, samples.Length)), 1e-12);
    }
}
