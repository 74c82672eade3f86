using System.Text;
using System.Text.RegularExpressions;
using Nsmt.Pipeline.Fingerprints;

namespace Nsmt.Pipeline.State;

/// <summary>Scalars for the hand-written lock file: plain when that reads back as the same string, else double-quoted.</summary>
internal static partial class YamlText
{
    public static string Scalar(string s)
    {
        var plain =
            PlainSafe().IsMatch(s)
            && !s.Contains(": ", StringComparison.Ordinal)
            && !s.Contains(" #", StringComparison.Ordinal)
            && !s.EndsWith(':')
            && ParamValue.FromScalar(s, plain: true).Kind == ParamKind.String;
        return plain ? s : Quoted(s);
    }

    /// <summary>For items of a flow sequence, where ',' '[' ']' '{' '}' also need quotes.</summary>
    public static string FlowItem(string s) => s.AsSpan().IndexOfAny(",[]{}") >= 0 ? Quoted(s) : Scalar(s);

    public static string Quoted(string s)
    {
        var sb = new StringBuilder();
        ParamValue.WriteJsonString(sb, s);
        return sb.ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_./@+(][A-Za-z0-9_./@+=(), :-]*$")]
    private static partial Regex PlainSafe();
}
