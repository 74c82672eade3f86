using System.Globalization;
using System.Text;
using Nsmt.Core;

namespace Nsmt.Runs;

/// <summary>
/// metrics.csv in Lightning's CSVLogger layout: one row per logged step (here: per epoch), columns = the union
/// of all metric names plus <c>epoch</c> and <c>step</c>, sorted by name; a metric absent from a row is an empty
/// cell. The file is rewritten atomically after each row so a crash never leaves a torn file.
/// </summary>
public sealed class MetricsCsvLogger(string path)
{
    private readonly List<Dictionary<string, double>> _rows = [];

    public string FilePath { get; } = path;

    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => _rows;

    /// <summary>Resumes a run: keeps the rows of epochs before <paramref name="firstNewEpoch"/>.</summary>
    public void Restore(IEnumerable<IReadOnlyDictionary<string, double>> previous, int firstNewEpoch)
    {
        _rows.Clear();
        _rows.AddRange(
            previous
                .Where(r => r.TryGetValue("epoch", out var e) && e < firstNewEpoch)
                .Select(r => new Dictionary<string, double>(r))
        );
    }

    public void Log(IReadOnlyDictionary<string, double> metrics, int epoch, long step)
    {
        var row = new Dictionary<string, double>(metrics) { ["epoch"] = epoch, ["step"] = step };
        _rows.Add(row);
        AtomicFile.WriteAllText(FilePath, Render());
    }

    public string Render()
    {
        var columns = _rows.SelectMany(r => r.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append(string.Join(',', columns)).Append('\n');
        foreach (var row in _rows)
        {
            sb.Append(string.Join(',', columns.Select(c => row.TryGetValue(c, out var v) ? Format(c, v) : "")))
                .Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Reads a metrics.csv back (for resume and for the Report stage).</summary>
    public static List<Dictionary<string, double>> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            return [];
        }

        var columns = lines[0].Split(',');
        var result = new List<Dictionary<string, double>>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split(',');
            if (cells.Length != columns.Length)
            {
                throw new InvalidDataException(
                    $"{path}:{i + 1}: expected {columns.Length} cells like the header, got {cells.Length}"
                );
            }

            var row = new Dictionary<string, double>();
            for (var c = 0; c < columns.Length; c++)
            {
                if (cells[c].Length == 0)
                {
                    continue;
                }

                row[columns[c]] = double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                    ? v
                    : throw new InvalidDataException(
                        $"{path}:{i + 1}: column '{columns[c]}': expected a number, got '{cells[c]}'"
                    );
            }
            result.Add(row);
        }
        return result;
    }

    // Integers (epoch, step) as integers, like Lightning; metrics round-trippable.
    private static string Format(string column, double value) =>
        column is "epoch" or "step"
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
}
