using System.Globalization;

namespace Nsmt.Amp.Format;

/// <summary>
/// Which <c>version</c> strings we read. Core parses "MAJOR.MINOR.PATCH" (three integers, no
/// prefix) and reads the whole 0.5 series with the same legacy code, so we accept exactly "0.5.N"
/// (N a non-negative integer, e.g. NAM's own example model is "0.5.0") and reject "0.5", "v0.5.4",
/// "0.6.0" and anything else. We always write "0.5.4".
/// </summary>
public static class NamVersion
{
    public const string SupportedDescription = "expected \"0.5.N\" with an integer N, e.g. \"0.5.4\"";

    public static bool IsSupported(string? version)
    {
        if (version is null)
        {
            return false;
        }

        string[] parts = version.Split('.');
        return parts.Length == 3
            && parts[0] == "0"
            && parts[1] == "5"
            && parts[2].Length > 0
            && parts[2].All(char.IsAsciiDigit)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
