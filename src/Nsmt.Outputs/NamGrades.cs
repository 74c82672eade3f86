using System.Globalization;

namespace Nsmt.Outputs;

/// <summary>
/// NAM's verdict on a validation ESR (shared/specs/amp-modeling.md), the one table the trainer's summary, amp
/// evaluation and the report grade by.
/// </summary>
public static class NamGrades
{
    /// <summary>The verdict for an ESR at or above the last bound (and for NaN).</summary>
    public const string Worst = "something went wrong";

    /// <summary>Upper bound (exclusive) and grade, best first.</summary>
    public static IReadOnlyList<(double Below, string Grade)> Table { get; } =
    [(0.01, "great"), (0.035, "not bad"), (0.1, "might sound ok"), (0.3, "probably won't sound great")];

    /// <summary>The table in words, for a report's footnote.</summary>
    public static string Text { get; } =
        "NAM's grades by validation ESR: "
        + string.Join(", ", Table.Select(g => string.Create(CultureInfo.InvariantCulture, $"< {g.Below} {g.Grade}")))
        + $", else {Worst}; ESR 1 is what outputting silence scores";

    /// <summary>NAM's grade for an ESR.</summary>
    public static string Of(double esr) => Table.FirstOrDefault(g => esr < g.Below).Grade ?? Worst;

    /// <summary>The next better grade and the ESR it needs, or null at the best grade.</summary>
    public static (double Below, string Grade)? Next(double esr)
    {
        var index = Table.ToList().FindIndex(g => esr < g.Below);
        return index switch
        {
            0 => null,
            < 0 => Table[^1],
            _ => Table[index - 1],
        };
    }
}
