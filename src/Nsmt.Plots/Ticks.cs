using System.Globalization;

namespace Nsmt.Plots;

/// <summary>Axis tick positions at "nice" values (1, 2, 5 times a power of ten) and their labels.</summary>
public static class Ticks
{
    /// <summary>About <paramref name="target"/> ticks covering [min, max] at multiples of a nice step.</summary>
    public static double[] Linear(double min, double max, int target = 6)
    {
        if (!(double.IsFinite(min) && double.IsFinite(max)) || max <= min)
        {
            return double.IsFinite(min) ? [min] : [];
        }

        var step = NiceStep((max - min) / Math.Max(1, target));
        var first = (long)Math.Ceiling((min / step) - 1e-9);
        var last = (long)Math.Floor((max / step) + 1e-9);
        var ticks = new List<double>();
        for (var k = first; k <= last && ticks.Count < 1000; k++)
        {
            ticks.Add(Multiple(k, step));
        }

        return [.. ticks];
    }

    /// <summary>Ticks of a log axis: each decade, plus 2 and 5 times it when there are few decades.</summary>
    public static double[] Log(double min, double max)
    {
        if (!(min > 0 && max > min && double.IsFinite(max)))
        {
            return [];
        }

        var low = (int)Math.Floor(Math.Log10(min));
        var high = (int)Math.Ceiling(Math.Log10(max));
        double[] multipliers = high - low <= 3 ? [1, 2, 5] : [1];
        var ticks = new List<double>();
        for (var e = low; e <= high; e++)
        {
            foreach (var m in multipliers)
            {
                var t = m * Math.Pow(10, e);
                if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9))
                {
                    ticks.Add(t);
                }
            }
        }

        return [.. ticks];
    }

    /// <summary>k * step without binary noise (3 * 0.2 is 0.6, not 0.6000000000000001).</summary>
    private static double Multiple(long k, double step)
    {
        if (k == 0)
        {
            return 0;
        }

        // Decimal arithmetic is exact for these short decimal steps; outside its range, plain doubles.
        return Math.Abs(step) is > 1e-20 and < 1e20 && Math.Abs(k) < 1_000_000_000
            ? (double)((decimal)k * (decimal)step)
            : k * step;
    }

    /// <summary>1, 2 or 5 times a power of ten, the smallest not below <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0))
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        double nice =
            fraction <= 1 ? 1
            : fraction <= 2 ? 2
            : fraction <= 5 ? 5
            : 10;
        return nice * power;
    }

    /// <summary>A short label: "0.25", "1k", "20k", "1e-5".</summary>
    public static string Label(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var magnitude = Math.Abs(value);
        if (magnitude >= 1000 && magnitude < 1e7 && Math.Abs((value / 1000) - Math.Round(value / 1000, 2)) < 1e-9)
        {
            return (value / 1000).ToString("0.##", CultureInfo.InvariantCulture) + "k";
        }

        if (magnitude < 1e-3 || magnitude >= 1e7)
        {
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        }

        return value.ToString("0.####", CultureInfo.InvariantCulture);
    }
}
