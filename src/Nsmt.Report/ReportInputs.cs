using Nsmt.Core;
using Nsmt.Runs;

namespace Nsmt.Report;

/// <summary>
/// The checks on what a person (or the pipeline) names for a report: <see cref="ReportBuilder.Build"/> tolerates
/// absent folders (a report of whatever exists), but a folder named on the command line that is not there is a
/// typo that would silently drop a section, and a training run in the other domain's slot would be mislabelled.
/// </summary>
public static class ReportInputs
{
    /// <summary>The column only amp runs log (validation ESR); spectral runs log accuracies instead.</summary>
    private const string AmpOnlyColumn = "val/esr";

    /// <summary>Throws <see cref="NsmtInputException"/> naming the folder and the option it was given to.</summary>
    public static void Check(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var slots = new (string Option, IReadOnlyList<string> Folders, string What)[]
        {
            ("--runs", request.Runs, "a spectral training run"),
            ("--evals", request.Evaluations, "an Evaluate output directory"),
            ("--diagrams", request.Diagrams, "a Diagram output directory"),
            ("--amp", request.Amp, "an amp evaluation directory"),
            ("--amp-runs", request.AmpRuns, "an amp training run"),
            ("--datasets", request.Datasets, "a VIMH dataset directory"),
            ("--knob-runs", request.KnobRuns, "a knob training run"),
        };
        foreach (var (option, folders, what) in slots)
        {
            foreach (var folder in folders.Where(f => !Directory.Exists(f)))
            {
                throw new NsmtInputException(folder, option, $"no such directory (expected {what})");
            }
        }

        foreach (var run in request.KnobRuns)
        {
            KnobSection.Check(run);
        }

        foreach (var run in request.Runs.Where(r => LogsAmpMetrics(r) == true))
        {
            throw new NsmtInputException(
                run,
                "--runs",
                $"an amp training run ({RunDirectory.Existing(run).MetricsCsv} logs {AmpOnlyColumn}); amp runs go to --amp-runs"
            );
        }

        foreach (var run in request.AmpRuns.Where(r => LogsAmpMetrics(r) == false))
        {
            throw new NsmtInputException(
                run,
                "--amp-runs",
                $"a spectral training run ({RunDirectory.Existing(run).MetricsCsv} has no {AmpOnlyColumn}); spectral runs go to --runs"
            );
        }
    }

    /// <summary>Whether the run's metrics.csv has the amp column; null when it has no metrics yet.</summary>
    private static bool? LogsAmpMetrics(string run)
    {
        var csv = RunDirectory.Existing(run).MetricsCsv;
        if (!File.Exists(csv))
        {
            return null;
        }

        using var reader = new StreamReader(csv);
        var header = reader.ReadLine();
        return header?.Split(',').Contains(AmpOnlyColumn, StringComparer.Ordinal);
    }
}
