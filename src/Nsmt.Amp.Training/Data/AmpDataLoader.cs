using System.Globalization;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Training.Config;

namespace Nsmt.Amp.Training.Data;

/// <summary>Builds the training pair a config's <c>data:</c> section asks for.</summary>
public static class AmpDataLoader
{
    public static AmpTrainingData Load(DataSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Source switch
        {
            DataSource.Reference => FromReferenceAmp(settings),
            _ => FromFiles(settings),
        };
    }

    /// <summary>
    /// The capture signal run through the reference amp in memory, then ingested like a recording
    /// (with the amp's known latency as the manual latency): train on the clicks to the validation
    /// repeat, validate on the repeat (the first passage is the same audio, left out).
    /// </summary>
    public static AmpTrainingData FromReferenceAmp(DataSettings settings)
    {
        var capture = CaptureSignal.Generate(settings.CaptureOptions());
        var amp = new ReferenceAmp.ReferenceAmp(settings.AmpOptions());
        var response = amp.Process(capture.Samples);
        var pair = CapturePair.Load(capture.Samples, response, capture.SampleRate, new IngestOptions
        {
            Layout = capture.Layout,
            ManualLatency = settings.Latency ?? amp.Options.LatencySamples, // data.latency: an LSTM's alignment (DataSettings.Latency)
            InputGainDb = settings.InputGainDb,
        });
        return FromPair(pair, string.Create(CultureInfo.InvariantCulture, $"reference amp, {capture.DurationSeconds:0.#} s capture"));
    }

    /// <summary>A DI and a reamped WAV, aligned and checked by ingestion (latency detected unless data.latency is given).</summary>
    public static AmpTrainingData FromFiles(DataSettings settings)
    {
        if (settings.DiPath is null || settings.ReampPath is null)
        {
            throw new ArgumentException("data.di and data.reamp must name the DI and reamped WAV files");
        }

        var pair = CapturePair.Load(settings.DiPath, settings.ReampPath, new IngestOptions
        {
            ManualLatency = settings.Latency,
            InputGainDb = settings.InputGainDb,
            Channel = settings.Channel,
            Resample = settings.Resample,
            ValidationSeconds = settings.ValidationSeconds ?? DataSettings.FilesValidationSeconds,
        });
        return FromPair(pair, $"{settings.DiPath} -> {settings.ReampPath}");
    }

    private static AmpTrainingData FromPair(CapturePair pair, string source)
    {
        var report = pair.Report;
        var l = report.Latency;
        // The alignment the model will learn, and what it came from: every sample of margin is delay the model adds.
        string latency = l.Method switch
        {
            LatencyMethod.Clicks => $"latency {l.Chosen} samples (clicks at {l.ClickLatency}, margin {l.SafetyMargin})",
            LatencyMethod.CrossCorrelation => string.Create(CultureInfo.InvariantCulture,
                $"latency {l.Chosen} samples (cross-correlation: response at {l.CorrelationOnset}, peak {l.CorrelationLatency:0.0}, margin {l.SafetyMargin})"),
            _ => $"latency {l.Chosen} samples ({l.Method.ToString().ToLowerInvariant()})",
        };
        string repeat = report.ReplicateEsr is { } esr ? string.Create(CultureInfo.InvariantCulture, $", validation repeat ESR {esr:0.#####}") : "";
        return new AmpTrainingData(pair.Input, pair.Output, pair.SampleRate, pair.TrainRange, pair.ValidationRange)
        {
            Latency = report.ToLatencyMetadata(),
            Checks = report.ToDataChecks(),
            Warnings = report.Warnings,
            Description = string.Create(CultureInfo.InvariantCulture,
                $"{source} at {pair.SampleRate} Hz: train {pair.TrainRange.Seconds(pair.SampleRate):0.#} s, "
                + $"validation {pair.ValidationRange.Seconds(pair.SampleRate):0.#} s, {latency}{repeat}"),
        };
    }

    /// <summary>ESR between the output's two validation passages (same input): large means noise, time effects or moved knobs.</summary>
    public static double RepeatEsr(float[] output, SampleRange first, SampleRange repeat)
    {
        int n = Math.Min(first.Length, repeat.Length);
        return Metrics.Esr(output.AsSpan(first.Start, n), output.AsSpan(repeat.Start, n));
    }
}
