using Nsmt.Audio;
using Nsmt.Outputs;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// Short WAV clips of the same moment through the DI, the real amp and the model (<c>clip_di.wav</c>,
/// <c>clip_amp.wav</c>, <c>clip_model.wav</c>), so a person can listen to the difference the metrics describe.
/// 16-bit mono at the capture's rate keeps each a few hundred KB: small enough to embed in the report.
/// </summary>
public static class ListeningClips
{
    public const string DiFileName = AmpEvaluationFiles.DiClip;
    public const string AmpFileName = AmpEvaluationFiles.AmpClip;
    public const string ModelFileName = AmpEvaluationFiles.ModelClip;

    /// <summary>
    /// Writes the clips for the window of <paramref name="seconds"/> (or the whole signal, if shorter) where the DI
    /// is loudest: a window that starts in a pause between notes would let the listener hear nothing. The three
    /// keep their levels as recorded, so the amp and the model compare as they are. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(
        string outputDirectory,
        ReadOnlySpan<float> di,
        ReadOnlySpan<float> amp,
        ReadOnlySpan<float> model,
        int sampleRate,
        double seconds
    )
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sampleRate, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(seconds, 0);
        if (di.Length != amp.Length || di.Length != model.Length || di.Length == 0)
        {
            throw new ArgumentException(
                $"expected three non-empty signals of one length, got DI {di.Length}, amp {amp.Length} and model {model.Length} samples"
            );
        }

        var length = Math.Min(di.Length, (int)Math.Round(seconds * sampleRate));
        var start = LoudestWindow(di, length, Math.Max(1, sampleRate / 10));
        Directory.CreateDirectory(outputDirectory);
        var paths = new List<string>(3);
        foreach (
            var (name, signal) in new[]
            {
                (DiFileName, di.Slice(start, length).ToArray()),
                (AmpFileName, amp.Slice(start, length).ToArray()),
                (ModelFileName, model.Slice(start, length).ToArray()),
            }
        )
        {
            var path = Path.Combine(outputDirectory, name);
            WavFile.Write(path, AudioBuffer.Mono(sampleRate, signal), WavSampleFormat.Pcm16);
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>The start (a multiple of <paramref name="hop"/>) of the window of <paramref name="length"/> samples with the most energy.</summary>
    internal static int LoudestWindow(ReadOnlySpan<float> signal, int length, int hop)
    {
        // Prefix sums of squares make each window's energy one subtraction.
        var energy = new double[signal.Length + 1];
        for (var i = 0; i < signal.Length; i++)
        {
            energy[i + 1] = energy[i] + ((double)signal[i] * signal[i]);
        }

        var best = 0;
        double bestEnergy = -1;
        for (var start = 0; start + length <= signal.Length; start += hop)
        {
            var e = energy[start + length] - energy[start];
            if (e > bestEnergy)
            {
                bestEnergy = e;
                best = start;
            }
        }

        return best;
    }
}
