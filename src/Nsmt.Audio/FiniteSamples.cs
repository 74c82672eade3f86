using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Audio;

/// <summary>
/// The one check that audio holds only finite samples, for every reader of recordings (processing, the DI/reamp
/// ingest of check, evaluate and training): a float WAV can hold NaN or infinity, and one such sample spreads
/// through a model's receptive field into thousands of NaN output samples.
/// </summary>
public static class FiniteSamples
{
    /// <summary>Throws <see cref="NsmtInputException"/> naming <paramref name="name"/>, field "samples" and the first bad frame.</summary>
    /// <param name="firstFrame">The frame number of <paramref name="samples"/>[0], for a piece of a longer recording.</param>
    public static void Require(ReadOnlySpan<float> samples, string name, int? channel = null, long firstFrame = 0)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
            {
                var where = channel is { } c ? $" of channel {c}" : "";
                throw new NsmtInputException(
                    name,
                    "samples",
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"expected finite values, got {samples[i]} at frame {firstFrame + i}{where} (NaN and infinity cannot be processed)"
                    )
                );
            }
        }
    }

    /// <summary>Every channel of <paramref name="audio"/>; channels are named when there are several.</summary>
    public static void Require(AudioBuffer audio, string name)
    {
        for (var c = 0; c < audio.ChannelCount; c++)
        {
            Require(audio.Channels[c], name, audio.ChannelCount > 1 ? c : null);
        }
    }
}
