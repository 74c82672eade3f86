using Nsmt.Plots;

namespace Nsmt.Report;

/// <summary>The anchor ids of the report's sections, so the summary and each section can link to the others.</summary>
internal static class Anchors
{
    public static string Run(string name) => HtmlReport.Slug($"run {name}");

    public static string Eval(string name) => HtmlReport.Slug($"eval {name}");

    public static string Diagram(string name) => HtmlReport.Slug($"architecture {name}");

    public static string Amp(string name) => HtmlReport.Slug($"amp {name}");

    public static string AmpRun(string name) => HtmlReport.Slug($"amp run {name}");

    public static string Dataset(string name) => DatasetSection.AnchorId(name);

    public static string Link(string id, string text) => $"<a href=\"#{id}\">{HtmlReport.Encode(text)}</a>";

    /// <summary>"see also" links to the sections that exist, as one paragraph (empty when there are none).</summary>
    public static string Related(IEnumerable<(string Id, string Text)> links, ISet<string> present)
    {
        var shown = Inline(links, present);
        return shown.Length == 0 ? "" : $"<p class=\"related\">See also: {shown}</p>";
    }

    /// <summary>The links to sections that exist, separated by dots (empty when there are none).</summary>
    public static string Inline(IEnumerable<(string Id, string Text)> links, ISet<string> present) =>
        string.Join(" · ", links.Where(l => present.Contains(l.Id)).Select(l => Link(l.Id, l.Text)));
}
