using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Amp.Keras;

/// <summary>
/// Knob values over time, for an offline sweep: a CSV whose header is <c>time</c> then knob names
/// (<c>time,gain_db</c>), one row per point (seconds, values in the knob's own units), times rising.
/// Between points the values are interpolated linearly; before the first and after the last they hold.
/// </summary>
public sealed class KnobAutomation
{
    private readonly double[] _times;
    private readonly double[][] _values;

    private KnobAutomation(IReadOnlyList<string> knobs, double[] times, double[][] values)
    {
        Knobs = knobs;
        _times = times;
        _values = values;
    }

    /// <summary>Knob names, in the file's column order.</summary>
    public IReadOnlyList<string> Knobs { get; }

    public static KnobAutomation Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllLines(path), path);
    }

    public static KnobAutomation Parse(IReadOnlyList<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = lines
            .Select((text, i) => (text: text.Trim(), line: i + 1))
            .Where(r => r.text.Length > 0 && !r.text.StartsWith('#'))
            .ToList();
        if (rows.Count < 2)
        {
            throw new NsmtInputException(source, "(file)", "expected a header (time,KNOB,...) and at least one row");
        }

        var header = rows[0].text.Split(',').Select(h => h.Trim()).ToArray();
        if (header.Length < 2 || header[0] != "time")
        {
            throw new NsmtInputException(
                $"{source}:1",
                "header",
                $"expected 'time' then knob names (e.g. time,gain_db), got '{rows[0].text}'"
            );
        }

        var times = new double[rows.Count - 1];
        var values = new double[rows.Count - 1][];
        for (var r = 1; r < rows.Count; r++)
        {
            var cells = rows[r].text.Split(',');
            var where = $"{source}:{rows[r].line}";
            if (cells.Length != header.Length)
            {
                throw new NsmtInputException(
                    where,
                    "row",
                    $"expected {header.Length} values ({string.Join(",", header)}), got {cells.Length}"
                );
            }

            var numbers = cells
                .Select(
                    (c, i) =>
                        double.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                        && double.IsFinite(v)
                            ? v
                            : throw new NsmtInputException(where, header[i], $"expected a number, got '{c.Trim()}'")
                )
                .ToArray();
            if (r > 1 && numbers[0] <= times[r - 2])
            {
                throw new NsmtInputException(where, "time", $"times must rise: {numbers[0]} after {times[r - 2]}");
            }

            times[r - 1] = numbers[0];
            values[r - 1] = numbers[1..];
        }

        return new KnobAutomation(header[1..], times, values);
    }

    /// <summary>The value of knob <paramref name="knob"/> (column index) at <paramref name="seconds"/>.</summary>
    public double ValueAt(int knob, double seconds)
    {
        if (seconds <= _times[0])
        {
            return _values[0][knob];
        }

        var i = Array.BinarySearch(_times, seconds);
        if (i >= 0)
        {
            return _values[i][knob];
        }

        var next = ~i;
        if (next >= _times.Length)
        {
            return _values[^1][knob];
        }

        var fraction = (seconds - _times[next - 1]) / (_times[next] - _times[next - 1]);
        return _values[next - 1][knob] + (fraction * (_values[next][knob] - _values[next - 1][knob]));
    }
}
