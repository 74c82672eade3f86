using System.Globalization;
using System.Text;
using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Cli;

/// <summary>One tab-separated line per stage result, appended for the caller (build.cake prints the table from it).</summary>
internal static class RunReport
{
    public static void Append(string file, IEnumerable<StageResult> results)
    {
        var sb = new StringBuilder();
        foreach (var r in results)
        {
            sb.Append(r.Stage)
                .Append('\t')
                .Append(r.Phase)
                .Append('\t')
                .Append(r.OutcomeText)
                .Append('\t')
                .Append(r.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture))
                .Append('\t')
                .Append(r.Detail.Replace('\t', ' ').Replace('\n', ' '))
                .Append('\n');
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.AppendAllText(file, sb.ToString());
    }
}
