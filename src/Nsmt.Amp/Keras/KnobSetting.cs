using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Amp.Keras;

// Beside the knob player that plays it (KerasProcessor, with KnobRange and KnobAutomation), in the engine library: the
// reference amp in Nsmt.Amp.Tools takes the same setting, but a player needs no reference amp.
/// <summary>
/// One setting of an amp's knobs, written <c>gain_db=6,mid_db=-2</c> everywhere (<c>Amp reamp --set</c>,
/// <c>Amp process --knob</c>, the held-out and recordings lists of a knob config): names in the order given.
/// </summary>
public sealed record KnobSetting(IReadOnlyList<KeyValuePair<string, double>> Values)
{
    public double this[string name] =>
        Values.FirstOrDefault(v => v.Key == name) is { Key: not null } pair
            ? pair.Value
            : throw new KeyNotFoundException($"no knob '{name}' in {this}");

    public IEnumerable<string> Names => Values.Select(v => v.Key);

    public bool Has(string name) => Values.Any(v => v.Key == name);

    /// <summary>Parses <c>name=value,name=value</c>; <paramref name="field"/> names the option or key in errors.</summary>
    public static KnobSetting Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new List<KeyValuePair<string, double>>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? part[..equals].Trim() : string.Empty;
            if (
                name.Length == 0
                || !double.TryParse(
                    part[(equals + 1)..],
                    NumberStyles.Float,
                    CultureInfo.InvariantCulture,
                    out var value
                )
                || !double.IsFinite(value)
            )
            {
                throw new NsmtInputException(
                    null,
                    field,
                    $"expected knob=value pairs separated by commas (e.g. gain_db=6,mid_db=-2), got '{part}'"
                );
            }

            if (values.Any(v => v.Key == name))
            {
                throw new NsmtInputException(null, field, $"knob '{name}' is set twice in '{text}'");
            }

            values.Add(new(name, value));
        }

        return values.Count > 0
            ? new KnobSetting(values)
            : throw new NsmtInputException(null, field, "expected at least one knob=value (e.g. gain_db=6)");
    }

    public override string ToString() =>
        string.Join(",", Values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value:0.###}")));

    public bool Equals(KnobSetting? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
