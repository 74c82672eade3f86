using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Processing;
using Nsmt.Core;
using Nsmt.Outputs;

namespace Nsmt.Amp.Evaluation;

/// <summary>
/// Scores a model on held-out audio and writes <c>metrics.json</c> plus SVG figures
/// (<c>waveform.svg</c>, <c>spectrograms.svg</c>, <c>sweep.svg</c>) and listening clips (<see cref="ListeningClips"/>) to a directory.
/// </summary>
public static class AmpEvaluation
{
    // The folder's layout is the contract the report reads by (Nsmt.Outputs).
    public const string MetricsFileName = AmpEvaluationFiles.Metrics;
    public const string WaveformFileName = AmpEvaluationFiles.Waveform;
    public const string SpectrogramFileName = AmpEvaluationFiles.Spectrograms;
    public const string SweepFileName = AmpEvaluationFiles.Sweep;

    /// <summary>
    /// Runs <paramref name="model"/> over the pair's input (with its real history before the
    /// validation range, as in one pass over the file) and scores the validation range. The sweep
    /// figure uses the capture's own sweeps when it has them, else <see cref="EvaluationOptions.Reference"/>.
    /// </summary>
    public static EvaluationResult Run(
        NamModel model,
        CapturePair pair,
        string outputDirectory,
        EvaluationOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pair);
        options ??= new EvaluationOptions();
        var range = pair.ValidationRange;
        if (range.IsEmpty)
        {
            throw new ArgumentException("the pair's validation range is empty", nameof(pair));
        }

        var prediction = Predict(model, pair.Input, pair.SampleRate, range, options.TanhMode);
        var target = pair.Output.AsSpan(range.Start, range.Length);
        var sweeps = new List<SweepComparison>();
        var notes = new List<string>();
        if (pair.Layout is { } layout)
        {
            for (var k = 0; k < layout.Sweeps.Count; k++)
            {
                // The sweep plus the gap after it, so the response's tail is included.
                var sweep = SampleRange
                    .FromBounds(layout.Sweeps[k].Start, layout.Sweeps[k].End + (pair.SampleRate / 10))
                    .ShiftClamped(-pair.InputOffset, pair.Input.Length);
                if (sweep.Length < pair.SampleRate / 2)
                {
                    continue;
                }

                sweeps.Add(
                    new SweepComparison(
                        $"{20 * Math.Log10(CaptureLayout.SweepLevels[k]):0} dBFS",
                        pair.Input.AsSpan(sweep.Start, sweep.Length).ToArray(),
                        pair.Output.AsSpan(sweep.Start, sweep.Length).ToArray(),
                        Predict(model, pair.Input, pair.SampleRate, sweep, options.TanhMode)
                    )
                );
            }

            notes.Add("sweep responses come from the capture's sweep section, which is part of the training range");
        }
        else if (options.Reference is not null)
        {
            sweeps.AddRange(SyntheticSweeps(model, pair.SampleRate, options));
            notes.Add("sweep responses: synthetic sweeps through the given reference and the model");
        }
        else
        {
            notes.Add("no sweep figure: the recording has no sweep section and no reference system was given");
        }

        var delay = ModelDelay.Measure(pair.Input.AsSpan(range.Start, range.Length), target, prediction);
        var input = pair.Input;
        var output = pair.Output;
        var widths = WidthScore.Measure(model, input, output, pair.SampleRate, range, options.TanhMode);
        var played = model.AtSize(1);
        var pairFields = new PairFields(
            new ScoredModelJson(
                model.Architecture.ToString(),
                // A SlimmableContainer has no weights of its own: its count is the default (largest) submodel's.
                played.Weights.Length,
                widths[^1].Preset,
                model.ReceptiveField,
                model.SampleRate,
                widths[^1].RealTimeFactor
            ),
            [.. widths.Select(WidthJson)],
            new CaptureIdentityJson(
                CaptureIdentity(input, output),
                "the aligned DI and amp samples (float32, little-endian), DI first: equal on the same capture"
            ),
            new IngestSummaryJson(
                pair.Report.Latency.Alignment.Latency,
                pair.Report.Latency.Method.ToString(),
                pair.Report.Latency.Alignment.SafetyMargin,
                pair.Report.Latency.CorrelationLatency,
                pair.Report.Latency.ClickLatency,
                pair.Report.ReplicateEsr,
                pair.Report.ChecksPassed,
                pair.Report.StandardCaptureSignal
            ),
            new AddedDelayJson(delay?.AddedDelay, delay?.ConfidenceDb, delay?.ModelOnset, delay?.TargetOnset)
        );
        // A pair read with nothing to train on (IngestOptions.Scope) is scored over every aligned sample; say so everywhere.
        var rangeName =
            pair.TrainRange.IsEmpty && range.Start == 0 && range.Length == pair.Input.Length
                ? "whole file"
                : "validation";
        var result = Write(
            prediction,
            target,
            pair.SampleRate,
            range,
            rangeName,
            outputDirectory,
            options,
            sweeps,
            notes,
            pairFields
        ) with
        {
            AddedDelay = delay,
            RangeName = rangeName,
            Widths = widths,
        };
        if (options.WriteFigures && options.ClipSeconds > 0)
        {
            // Only here is the DI at hand: a prediction scored on its own has no input to play.
            ListeningClips.Write(
                outputDirectory,
                pair.Input.AsSpan(range.Start, range.Length),
                target,
                prediction,
                pair.SampleRate,
                options.ClipSeconds
            );
        }

        return result;
    }

    /// <summary>Scores a prediction made elsewhere (e.g. by the trainer) against its target and writes the same files.</summary>
    public static EvaluationResult Run(
        float[] prediction,
        float[] target,
        int sampleRate,
        string outputDirectory,
        EvaluationOptions? options = null,
        IReadOnlyList<SweepComparison>? sweeps = null
    )
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0 || prediction.Length != target.Length)
        {
            throw new ArgumentException(
                $"expected a non-empty prediction as long as the target, got {prediction.Length} and {target.Length} samples"
            );
        }

        options ??= new EvaluationOptions();
        return Write(
            prediction,
            target,
            sampleRate,
            new SampleRange(0, target.Length),
            "given",
            outputDirectory,
            options,
            sweeps ?? [],
            [],
            null
        );
    }

    private static WidthJson WidthJson(WidthScore w) =>
        new(
            w.Size,
            w.MaxSize,
            w.Preset,
            w.Weights,
            w.EsrNam,
            w.RealTimeFactor,
            string.Create(
                CultureInfo.InvariantCulture,
                $"seconds of audio per second of our streaming engine, block {WidthScore.BlockSize}, best of {WidthScore.TimedPasses} passes over up to {WidthScore.MaxTimedSeconds} s of the scored range, on the machine that evaluated"
            )
        );

    /// <summary>SHA-256 of the aligned pair's samples: what makes two evaluations comparable, whatever their names.</summary>
    private static string CaptureIdentity(float[] input, float[] output)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(input.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(output.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The model's output over <paramref name="range"/> of <paramref name="input"/>, as one pass over
    /// the whole input would give it: a WaveNet needs only the RF-1 samples before the range; a
    /// recurrent model is run from the start.
    /// </summary>
    public static float[] Predict(
        NamModel model,
        float[] input,
        int sampleRate,
        SampleRange range,
        TanhMode tanhMode = TanhMode.Exact
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var from = model.Config is WaveNetConfig ? Math.Max(0, range.Start - (model.ReceptiveField - 1)) : 0;
        // Resampling filters reach a little beyond the range: give them a margin of real input.
        var resampled = model.SampleRate is { } rate && rate != sampleRate;
        if (resampled)
        {
            from = Math.Max(0, from - (sampleRate / 10));
        }

        var to = resampled ? Math.Min(input.Length, range.End + (sampleRate / 10)) : range.End;
        var output = AmpProcessor.Process(
            model,
            input.AsSpan(from, to - from),
            sampleRate,
            new ProcessingOptions { TanhMode = tanhMode }
        );
        return output.AsSpan(range.Start - from, range.Length).ToArray();
    }

    private static IEnumerable<SweepComparison> SyntheticSweeps(
        NamModel model,
        int sampleRate,
        EvaluationOptions options
    )
    {
        foreach (var level in CaptureLayout.SweepLevels)
        {
            var length = 2 * sampleRate;
            var sweep = new double[length + (sampleRate / 10)];
            TestSignals.Sweep(sweep.AsSpan(0, length), sampleRate, level);
            var input = sweep.Select(v => (float)v).ToArray();
            var reference = options.Reference!(input);
            if (reference.Length < input.Length)
            {
                throw new ArgumentException(
                    $"the reference returned {reference.Length} samples for {input.Length} (it must return at least as many)"
                );
            }

            var modelOutput = AmpProcessor.Process(
                model,
                input,
                sampleRate,
                new ProcessingOptions { TanhMode = options.TanhMode }
            );
            yield return new SweepComparison(
                $"{20 * Math.Log10(level):0} dBFS",
                input,
                reference.AsSpan(0, input.Length).ToArray(),
                modelOutput
            );
        }
    }

    private static EvaluationResult Write(
        float[] prediction,
        ReadOnlySpan<float> target,
        int sampleRate,
        SampleRange range,
        string rangeName,
        string outputDirectory,
        EvaluationOptions options,
        IReadOnlyList<SweepComparison> sweeps,
        List<string> notes,
        PairFields? pairFields
    )
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        var metrics = EvaluationMetrics.Compute(prediction, target, sampleRate);
        Directory.CreateDirectory(outputDirectory);
        var figures = new List<string>();
        var label = options.Label is null ? null : $"{options.Label}: ";
        if (options.WriteFigures)
        {
            var path = Path.Combine(outputDirectory, WaveformFileName);
            EvaluationFigures
                .Waveforms(
                    prediction,
                    target,
                    sampleRate,
                    options.ZoomSeconds,
                    $"{label}{rangeName} range, ESR {metrics.EsrNam:0.0000} ({metrics.QualityGrade})"
                )
                .Save(path);
            figures.Add(path);
            path = Path.Combine(outputDirectory, SpectrogramFileName);
            EvaluationFigures
                .Spectrograms(
                    prediction,
                    target,
                    sampleRate,
                    options.SpectrogramFftSize,
                    options.DynamicRangeDb,
                    $"{label}spectrograms ({rangeName} range)"
                )
                .Save(path);
            figures.Add(path);
            if (sweeps.Count > 0)
            {
                path = Path.Combine(outputDirectory, SweepFileName);
                EvaluationFigures.SweepResponse(sweeps, sampleRate, $"{label}sine-sweep response").Save(path);
                figures.Add(path);
            }
        }

        var differences = sweeps.Select(s => (s.Label, MeanAbsDifference(s, sampleRate))).ToList();
        var metricsPath = Path.Combine(outputDirectory, MetricsFileName);
        AtomicFile.WriteAllBytes(
            metricsPath,
            MetricsJson(metrics, range, rangeName, sampleRate, differences, figures, notes, pairFields)
        );
        return new EvaluationResult
        {
            Metrics = metrics,
            Range = range,
            Prediction = prediction,
            MetricsPath = metricsPath,
            FigurePaths = figures,
            SweepDifferences = differences,
            Notes = notes,
        };
    }

    private static double MeanAbsDifference(SweepComparison sweep, int sampleRate)
    {
        var (frequencies, reference) = EvaluationFigures.TransferDb(sweep.Input, sweep.Reference, sampleRate);
        var (_, model) = EvaluationFigures.TransferDb(sweep.Input, sweep.Model, sampleRate);
        double sum = 0;
        var count = 0;
        for (var i = 0; i < frequencies.Length; i++)
        {
            if (
                frequencies[i] >= 50
                && frequencies[i] <= 15000
                && double.IsFinite(reference[i])
                && double.IsFinite(model[i])
            )
            {
                sum += Math.Abs(model[i] - reference[i]);
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>metrics.json's bytes (<see cref="AmpMetricsJson"/>).</summary>
    internal static byte[] MetricsJson(
        EvaluationMetrics m,
        SampleRange range,
        string rangeName,
        int sampleRate,
        List<(string Label, double Difference)> sweeps,
        List<string> figures,
        List<string> notes,
        PairFields? pairFields
    ) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new AmpMetricsJson
            {
                Range = new ScoredRangeJson(
                    rangeName,
                    range.Start,
                    range.Length,
                    range.Seconds(sampleRate),
                    sampleRate
                ),
                EsrNam = m.EsrNam,
                EsrPooled = m.EsrPooled,
                Mse = m.Mse,
                Rmse = m.Rmse,
                SnrDb = m.SnrDb,
                Pearson = m.Pearson,
                NullTestResidualDbfs = m.ResidualRmsDbfs,
                NullTestResidualDbReTarget = m.ResidualRelativeDb,
                DcError = m.DcError,
                Mrstft = m.MultiResolutionStft,
                QualityGrade = m.QualityGrade,
                CorrelationGrade = m.CorrelationGrade,
                Sweeps = [.. sweeps.Select(s => new SweepDifferenceJson(s.Label, s.Difference))],
                Figures = [.. figures.Select(f => Path.GetFileName(f))],
                Notes = notes,
                Model = pairFields?.Model,
                Widths = pairFields?.Widths,
                Capture = pairFields?.Capture,
                Ingest = pairFields?.Ingest,
                Timing = pairFields?.Timing,
            },
            AmpJsonContext.Metrics.AmpMetricsJson
        );

    /// <summary>What metrics.json adds for a scored capture pair: the model, its widths, the capture and its alignment.</summary>
    internal sealed record PairFields(
        ScoredModelJson Model,
        IReadOnlyList<WidthJson> Widths,
        CaptureIdentityJson Capture,
        IngestSummaryJson Ingest,
        AddedDelayJson Timing
    );
}
