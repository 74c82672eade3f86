using System.Globalization;
using System.Text.RegularExpressions;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data;

/// <summary>Which envelope channels a dataset carries (NSMT's --temporal/--spectral-envelope, --normalize).</summary>
public readonly record struct EnvelopeOptions(bool Temporal, bool Spectral, bool Normalize)
{
    public bool Any => Temporal || Spectral;

    /// <summary>The dataset-name suffix: _envelopes, _normalized, _temporal, _spectral or empty.</summary>
    public string Suffix =>
        (Temporal, Spectral) switch
        {
            (true, true) => Normalize ? "_normalized" : "_envelopes",
            (true, false) => "_temporal",
            (false, true) => "_spectral",
            _ => "",
        };
}

/// <summary>Constants and naming rules of VIMH 2.1.</summary>
public static partial class VimhFormat
{
    public const string Version = "2.1";
    public const string InfoFileName = "vimh_dataset_info.json";
    public const string TrainFileName = "train";
    public const string TestFileName = "test";
    public const double TrainFraction = 0.8;

    /// <summary>Bytes before the label pairs: H, W, C (uint16 each), spec_min, spec_max (float32), N (uint8).</summary>
    public const int FixedHeaderBytes = 15;

    /// <summary>
    /// Bytes of one record. Computed in 64 bits and checked: readers refuse sizes above <see cref="VimhLimits"/>
    /// first, so an overflow here is a caller's bug, not hostile input (65535^3 used to wrap to a negative size).
    /// </summary>
    public static int RecordSize(int height, int width, int channels, int parameterCount) =>
        checked((int)(FixedHeaderBytes + (2L * parameterCount) + VimhLimits.ImageBytes(height, width, channels)));

    /// <summary>floor(0.8 * N) training records, as NSMT's int(0.8 * N).</summary>
    public static int TrainCount(int total) => (int)(TrainFraction * total);

    /// <summary>The duration as Python prints a float with '.' replaced by 'p' (1.0 -> "1p0").</summary>
    public static string DurationToken(double duration) => PythonJson.FormatFloat(duration).Replace('.', 'p');

    public static string DatasetName(
        int height,
        int width,
        int channels,
        int sampleRate,
        double duration,
        int total,
        int varyingCount,
        EnvelopeOptions envelopes,
        bool shuffled
    ) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"vimh-{height}x{width}x{channels}_{sampleRate}Hz_{DurationToken(duration)}s_{total}dss_simple_{varyingCount}p{envelopes.Suffix}{(shuffled ? "_shuffled" : "")}"
        );

    /// <summary>Dimensions encoded in a directory name, or null if the name does not follow the convention.</summary>
    public static (int Height, int Width, int Channels)? DimensionsFromName(string directoryName)
    {
        var m = NamePattern().Match(directoryName);
        if (!m.Success)
        {
            return null;
        }

        return (
            int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)
        );
    }

    [GeneratedRegex(@"^vimh-(\d{1,5})x(\d{1,5})x(\d{1,5})_")]
    private static partial Regex NamePattern();
}
