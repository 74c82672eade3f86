using System.Text.Json;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Generation;

namespace Nsmt.Spectral.Data.Features;

/// <summary>
/// One auxiliary scalar measured from a stored record (its image and its spec_min/spec_max), so every VIMH dataset
/// has it, the template's included, and nothing is written beside the dataset (the format stays byte-identical).
/// </summary>
public sealed record AuxiliaryFeature(string Name, string Unit, string Description, Func<RecordView, double> Measure);

/// <summary>The record a feature reads, with what the dataset's info says about its time and frequency axes.</summary>
public readonly ref struct RecordView(ReadOnlySpan<byte> image, float specMin, float specMax, SpectrogramAxes axes)
{
    public ReadOnlySpan<byte> Image { get; } = image;
    public float SpecMin { get; } = specMin;
    public float SpecMax { get; } = specMax;
    public SpectrogramAxes Axes { get; } = axes;
}

/// <summary>
/// Image geometry and the spectrogram_config facts the features need. <see cref="FrameSeconds"/> is hop_length /
/// sample_rate (the template at 9047dac hard-codes 0.01 s, which is that value for its 8 kHz, hop-80 datasets; its
/// later versions pass hop_length / sample_rate as here). <see cref="PixelsAreDecibels"/> holds when channel 0 is the
/// gray dB image whose pixels decode with the record's spec_min/spec_max (not for envelope stacks).
/// </summary>
public sealed record SpectrogramAxes(
    int Channels,
    int Height,
    int Width,
    double FrameSeconds,
    double[]? RowFrequencies,
    bool PixelsAreDecibels,
    string Origin
)
{
    public static SpectrogramAxes From(VimhInfo info)
    {
        var config =
            info.Json.TryGetProperty("spectrogram_config", out var c) && c.ValueKind == JsonValueKind.Object
                ? c
                : default;
        var sampleRate = info.SampleRate ?? Number(config, "sample_rate") ?? 0;
        var hop = Number(config, "hop_length") ?? 0;
        var frameSeconds = sampleRate > 0 && hop > 0 ? hop / sampleRate : 0;
        var nFft = Number(config, "n_fft") ?? 0;
        var isStft =
            config.ValueKind == JsonValueKind.Object
            && config.TryGetProperty("type", out var t)
            && t.ValueKind == JsonValueKind.String
            && t.GetString() == "stft";

        // STFT rows are bins 1..H (DC dropped): row r is (r + 1) * sr / n_fft Hz.
        double[]? rows =
            isStft && sampleRate > 0 && nFft > 0
                ? [.. Enumerable.Range(0, info.Height).Select(r => (r + 1) * sampleRate / nFft)]
                : null;
        // Channel 0 decodes with spec_min/spec_max unless envelope channels share the range (generate.level: both keeps
        // NSMT's min-max image in channel 0 and its fixed-range copy beside it).
        var decibels =
            info.ChannelLabels.Count == 0
            || info.ChannelLabels.All(l => l is "Gray" or "R" or "G" or "B" or LevelScaling.AbsoluteChannelLabel);
        return new SpectrogramAxes(info.Channels, info.Height, info.Width, frameSeconds, rows, decibels, info.Path);
    }

    private static double? Number(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty(name, out var e)
        && e.ValueKind == JsonValueKind.Number
            ? e.GetDouble()
            : null;
}

/// <summary>
/// The auxiliary features a config may name in <c>data.auxiliary_features</c>, and their computation per split
/// (the template's auxiliary-input experiments feed them to the network beside the image).
/// </summary>
public static class AuxiliaryFeatures
{
    public static IReadOnlyList<AuxiliaryFeature> All { get; } =
    [
        new(
            "decay_time",
            "log10 s",
            "the template's measured decay: the image summed over channels and rows per frame, smoothed by a 5-frame box, "
                + "normalised to its peak; a weighted least-squares line through log(profile) from the peak on gives tau; log10 tau in [-3, 1], -1 when undefined",
            DecayTime.Measure
        ),
        new(
            "rms_db",
            "dB",
            "the level of the spectrogram: 10 log10 of the mean over frames of the summed power of channel 0's rows, "
                + "pixels decoded to dB with the record's spec_min/spec_max",
            RmsDecibels
        ),
        new(
            "spectral_centroid",
            "Hz",
            "the power-weighted mean frequency of channel 0 over all frames (STFT datasets: row r is bin r + 1)",
            SpectralCentroid
        ),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(f => f.Name)];

    public static AuxiliaryFeature Find(string name, string origin) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new VimhDataException(
            $"{origin}: unknown auxiliary feature '{name}'{Nsmt.Core.NearestName.Suggestion(name, Names)}; "
                + $"expected one of {string.Join(", ", Names)}"
        );

    /// <summary>The features of every sample of a split: [Count * features.Count] float32, sample-major.</summary>
    public static float[] Compute(IReadOnlyList<AuxiliaryFeature> features, VimhSplit split, SpectrogramAxes axes)
    {
        var values = new float[(long)split.Count * features.Count];
        for (var i = 0; i < split.Count; i++)
        {
            var record = new RecordView(split.Image(i), split.SpecMin[i], split.SpecMax[i], axes);
            for (var f = 0; f < features.Count; f++)
            {
                values[((long)i * features.Count) + f] = (float)features[f].Measure(record);
            }
        }

        return values;
    }

    private static double RmsDecibels(RecordView record)
    {
        RequireDecibels(record.Axes, "rms_db");
        var axes = record.Axes;
        double sum = 0;
        for (var row = 0; row < axes.Height; row++)
        {
            for (var frame = 0; frame < axes.Width; frame++)
            {
                sum += Power(record, row, frame);
            }
        }

        return 10 * Math.Log10(Math.Max(sum / axes.Width, 1e-30));
    }

    private static double SpectralCentroid(RecordView record)
    {
        RequireDecibels(record.Axes, "spectral_centroid");
        var frequencies = record.Axes.RowFrequencies
            ?? throw new VimhDataException(
                $"{record.Axes.Origin}: auxiliary feature 'spectral_centroid' needs spectrogram_config.type \"stft\" with n_fft and a sample rate "
                    + "(the frequency of each row); this dataset has none"
            );
        double weighted = 0,
            total = 0;
        for (var row = 0; row < record.Axes.Height; row++)
        {
            for (var frame = 0; frame < record.Axes.Width; frame++)
            {
                var p = Power(record, row, frame);
                weighted += p * frequencies[row];
                total += p;
            }
        }

        return total > 0 ? weighted / total : 0;
    }

    // The inverse of the 8-bit scaling (exact to half a grey level): dB = spec_min + pixel / 255 * (spec_max - spec_min).
    private static double Power(RecordView record, int row, int frame)
    {
        var decibels =
            record.SpecMin
            + (record.Image[(row * record.Axes.Width) + frame] / 255.0 * (record.SpecMax - record.SpecMin));
        return Math.Pow(10, decibels / 10);
    }

    private static void RequireDecibels(SpectrogramAxes axes, string feature)
    {
        if (!axes.PixelsAreDecibels)
        {
            throw new VimhDataException(
                $"{axes.Origin}: auxiliary feature '{feature}' decodes pixels to dB, which needs channel_labels \"Gray\" (or R, G, B); "
                    + "with envelope channels spec_min/spec_max describe the whole channel stack"
            );
        }
    }
}

/// <summary>
/// The template's decay-time measurement (src/utils/auxiliary_features.py), written from its definition: profile[w] =
/// the image summed over channels and rows at frame w, smoothed by a zero-padded 5-frame box (when W >= 5), divided by
/// its maximum; from the (first) peak on, the samples above 1e-6 are fitted by log(profile) = a + b t with each residual
/// weighted by the profile value (numpy.polyfit's w); tau = -1/b. Returns log10 tau clipped to [-3, 1], or -1 when the
/// tail is shorter than 3 frames, fewer than 2 samples are positive, or the slope is not below -1e-6.
/// </summary>
public static class DecayTime
{
    public const double Undefined = -1.0;
    private const int SmoothingFrames = 5;

    public static double Measure(RecordView record)
    {
        var axes = record.Axes;
        if (axes.FrameSeconds <= 0)
        {
            throw new VimhDataException(
                $"{axes.Origin}: auxiliary feature 'decay_time' needs spectrogram_config.hop_length and sample_rate (the time between frames)"
            );
        }

        var energy = new double[axes.Width];
        var plane = axes.Height * axes.Width;
        for (var c = 0; c < axes.Channels; c++)
        {
            for (var row = 0; row < axes.Height; row++)
            {
                var pixels = record.Image.Slice((c * plane) + (row * axes.Width), axes.Width);
                for (var w = 0; w < axes.Width; w++)
                {
                    energy[w] += pixels[w] / 255.0;
                }
            }
        }

        // The template smooths as the generator's envelope channels do (a zero-padded box), and only when W >= 5.
        return FromProfile(
            energy.Length < SmoothingFrames ? energy : EnvelopeChannels.BoxSmooth(energy, SmoothingFrames),
            axes.FrameSeconds
        );
    }

    /// <summary>The fit on a per-frame profile as measured (smoothed, not yet normalised); frame w is at w * frameSeconds.</summary>
    public static double FromProfile(IReadOnlyList<double> profile, double frameSeconds)
    {
        var max = profile.Max();
        var normalized = max > 0 ? profile.Select(v => v / max).ToArray() : [.. profile.Select(_ => 0.001)];
        var peak = Array.IndexOf(normalized, normalized.Max());
        if (normalized.Length - peak < 3)
        {
            return Undefined;
        }

        // Weighted least squares with weights profile^2 on the squared residuals (polyfit weights the unsquared ones).
        double sw = 0,
            st = 0,
            sy = 0,
            stt = 0,
            sty = 0;
        var used = 0;
        for (var i = peak; i < normalized.Length; i++)
        {
            var y = normalized[i];
            if (y <= 1e-6)
            {
                continue;
            }

            double weight = y * y,
                t = i * frameSeconds,
                logY = Math.Log(y);
            sw += weight;
            st += weight * t;
            sy += weight * logY;
            stt += weight * t * t;
            sty += weight * t * logY;
            used++;
        }

        var denominator = (sw * stt) - (st * st);
        if (used < 2 || denominator <= 0)
        {
            return Undefined;
        }

        var slope = ((sw * sty) - (st * sy)) / denominator;
        return slope < -1e-6 ? Math.Clamp(Math.Log10(-1.0 / slope), -3.0, 1.0) : Undefined;
    }
}
