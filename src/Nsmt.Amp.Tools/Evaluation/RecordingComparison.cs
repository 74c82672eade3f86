using System.Globalization;
using System.Text;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Processing;
using Nsmt.Outputs;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// The predecessor project's comparison (ESR, RMSE, Pearson r over the common length) of a model's output for a
/// DI against the rig's recording of the same DI, aligned as the model was trained (issue 16):
/// what <c>process --compare</c> prints.
/// </summary>
public sealed record RecordingComparison
{
    public required IngestReport Ingest { get; init; }

    /// <summary>Aligned samples compared (the whole common length after alignment).</summary>
    public int Samples { get; init; }

    /// <summary>NAM's ESR over the compared samples as one item.</summary>
    public double Esr { get; init; }

    public double Rmse { get; init; }

    public double Pearson { get; init; }

    public ModelDelay? AddedDelay { get; init; }

    /// <summary>
    /// Aligns <paramref name="diPath"/> and <paramref name="reampPath"/> with <paramref name="latency"/>
    /// when given, else the alignment the model carries, else the detected one; runs the model over
    /// the aligned DI and compares. Short files are fine: no validation range is held out.
    /// </summary>
    public static RecordingComparison Run(
        NamModel model,
        string diPath,
        string reampPath,
        int? latency = null,
        TanhMode tanhMode = TanhMode.Exact
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        var pair = CapturePair.Load(
            diPath,
            reampPath,
            new IngestOptions
            {
                ManualLatency = latency,
                TrainedAlignment = Alignment.Of(model),
                DetectLayout = false,
                Scope = ValidationScope.Whole, // everything is compared; nothing is held out
            }
        );
        var prediction = AmpProcessor.Process(
            model,
            pair.Input,
            pair.SampleRate,
            new ProcessingOptions { TanhMode = tanhMode }
        );
        return new RecordingComparison
        {
            Ingest = pair.Report,
            Samples = prediction.Length,
            Esr = Metrics.Esr(prediction, pair.Output),
            Rmse = Metrics.Rmse(prediction, pair.Output),
            Pearson = Metrics.Pearson(prediction, pair.Output),
            AddedDelay = ModelDelay.Measure(pair.Input, pair.Output, prediction),
        };
    }

    public string ToText()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var l = Ingest.Latency;
        text.Append(
            c,
            $"compared with {Ingest.OutputName}: latency {l.Alignment.Latency} samples, {l.DescribeSource()}\n"
        );
        foreach (var warning in Ingest.Warnings)
        {
            text.Append($"warning: {warning}\n");
        }

        text.Append(
            c,
            $"{Samples} samples: ESR (NAM) {Esr:0.000000} -> {NamGrades.Of(Esr)}; RMSE {Rmse:0.000000}; Pearson r {Pearson:0.00000} -> {Metrics.CorrelationGrade(Pearson)}\n"
        );
        if (AddedDelay is { } delay)
        {
            text.Append(delay.ToText()).Append('\n');
        }

        return text.ToString();
    }
}
