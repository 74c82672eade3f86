using System.Globalization;

namespace Nsmt.Amp.Format;

/// <summary>
/// Which <c>version</c> strings we read: "MAJOR.MINOR.PATCH" (three integers, no prefix) from 0.5.0
/// to 0.7.N, as NAM Core 0.5.5 does (it reads 0.7.0 fully and later 0.7 patches "partially"). The
/// 0.5 series is the legacy format (A1 WaveNet, LSTM); 0.6 adds the extended WaveNet options and
/// 0.7 slimmable models. "0.5", "v0.5.4" and "0.8.0" are rejected. We write "0.5.4".
/// </summary>
public static class NamVersion
{
    public const string SupportedDescription =
        "expected \"0.MINOR.PATCH\" with MINOR 5, 6 or 7 and an integer PATCH, e.g. \"0.5.4\" or \"0.7.0\"";

    public static bool IsSupported(string? version) => MinorOf(version) is >= 5 and <= 7;

    /// <summary>The minor version of a "0.MINOR.PATCH" string, or null when it is not one.</summary>
    public static int? MinorOf(string? version)
    {
        if (version is null)
        {
            return null;
        }

        var parts = version.Split('.');
        var wellFormed =
            parts.Length == 3
            && parts[0] == "0"
            && parts
                .Skip(1)
                .All(p =>
                    p.Length > 0
                    && p.All(char.IsAsciiDigit)
                    && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                );
        return wellFormed ? int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Which players read a file of this version (for <c>Amp info</c>).</summary>
    public static string Players(string version) =>
        MinorOf(version) switch
        {
            5 => "every NAM player: NAM Core (all versions) and older plugins that read only 0.5.x",
            6 or 7 => "NAM Core 0.5.5 (HEAD) and players built on it; NOT older plugins that read only 0.5.x",
            _ => "none known",
        };
}
