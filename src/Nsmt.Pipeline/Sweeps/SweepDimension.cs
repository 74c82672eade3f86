using System.Globalization;

namespace Nsmt.Pipeline.Sweeps;

/// <summary>
/// One swept key (<c>--sweep KEY=SPEC</c>): listed values (<c>a,b,c</c>: a grid axis, or a choice) or a range
/// (<c>lo..hi</c> uniform, <c>log:lo..hi</c> log-uniform, <c>int:lo..hi</c> whole numbers) for random and
/// model-based search. A key without a dot whose values name files of a config group (<c>model=cnn_micro,cnn_tiny</c>)
/// swaps that group's file, as <c>group=name</c> does on the Train command line.
/// </summary>
public sealed record SweepDimension(
    string Key,
    IReadOnlyList<string>? Values,
    double Low = 0,
    double High = 0,
    bool Log = false,
    bool Integer = false
)
{
    public bool IsRange => Values is null;

    public static SweepDimension Parse(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw new PipelineException(
                $"--sweep '{text}': expected KEY=a,b,c (values) or KEY=lo..hi, KEY=log:lo..hi, KEY=int:lo..hi (a range)"
            );
        }

        string key = text[..eq].Trim(),
            spec = text[(eq + 1)..].Trim();
        var dots = spec.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            var values = spec.Split(',', StringSplitOptions.TrimEntries);
            if (values.Any(v => v.Length == 0) || values.Distinct(StringComparer.Ordinal).Count() != values.Length)
            {
                throw new PipelineException(
                    $"--sweep {key}: '{spec}' must list distinct, non-empty values separated by commas"
                );
            }

            return new SweepDimension(key, values);
        }

        bool log = spec.StartsWith("log:", StringComparison.Ordinal),
            integer = spec.StartsWith("int:", StringComparison.Ordinal);
        var range = log || integer ? spec[4..] : spec;
        dots = range.IndexOf("..", StringComparison.Ordinal);
        if (
            !double.TryParse(range[..dots], NumberStyles.Float, CultureInfo.InvariantCulture, out var low)
            || !double.TryParse(range[(dots + 2)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var high)
            || !(low < high)
            || (log && low <= 0)
            || (integer && (low != Math.Floor(low) || high != Math.Floor(high)))
        )
        {
            throw new PipelineException(
                $"--sweep {key}: '{spec}' is not a range lo..hi with lo < hi (log: needs lo > 0, int: whole numbers)"
            );
        }

        return new SweepDimension(key, null, low, high, log, integer);
    }

    /// <summary>A value of the range at <paramref name="unit"/> in [0, 1) (log-scaled for log:), as the trial's config will hold it.</summary>
    public string ValueAt(double unit)
    {
        var x = Log ? Math.Exp(Math.Log(Low) + unit * (Math.Log(High) - Math.Log(Low))) : Low + unit * (High - Low);
        return Format(x);
    }

    /// <summary>Where a value lies in the search space: log of it for log:, else the value (TPE models this).</summary>
    public double ToSpace(string value) =>
        Log
            ? Math.Log(double.Parse(value, CultureInfo.InvariantCulture))
            : double.Parse(value, CultureInfo.InvariantCulture);

    public double SpaceLow => Log ? Math.Log(Low) : Low;

    public double SpaceHigh =>
        Log ? Math.Log(High)
        : Integer ? High + 1
        : High;

    public string FromSpace(double x) => Format(Log ? Math.Exp(x) : x);

    private string Format(double x)
    {
        x = Math.Clamp(x, Low, High);
        // Four significant digits: trials differ by meaningful amounts, and the name (a hash of the values) is stable.
        return Integer
            ? Math.Floor(x).ToString("F0", CultureInfo.InvariantCulture)
            : x.ToString("G4", CultureInfo.InvariantCulture);
    }
}
