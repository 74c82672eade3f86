namespace Nsmt.Core;

/// <summary>"Did you mean" suggestions for misspelt keys and names (Levenshtein distance).</summary>
public static class NearestName
{
    /// <summary>The closest candidate, or null when none is plausibly a typo of <paramref name="name"/>.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(name, candidate);
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }
        // A suggestion is only useful when it is closer than rewriting the word. For a dotted key the word is its last
        // segment: siblings share the prefix, which would otherwise let 'model.net.bogus' pass for 'model.net.dropout'.
        var word = name.Length - (name.LastIndexOf('.') + 1);
        return best is not null && bestDistance <= Math.Max(2, word / 2) ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" or an empty string.</summary>
    public static string Suggestion(string name, IEnumerable<string> candidates) =>
        Find(name, candidates) is { } nearest ? $" (did you mean '{nearest}'?)" : "";

    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
