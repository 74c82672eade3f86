using System.Globalization;
using System.Runtime.CompilerServices;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Training.Config;
using Nsmt.Audio;

namespace Nsmt.Amp.Training.Data;

/// <summary>Builds the training pair a config's <c>data:</c> section asks for.</summary>
public static class AmpDataLoader
{
    /// <summary>
    /// The pair for training, in a scratch file: data.di/data.reamp streamed into it while they are read
    /// (<see cref="StreamFromFiles"/>), the reference amp's pair spilled to it (<see cref="AmpTrainingData.Spill"/>) once made.
    /// </summary>
    /// <param name="referenceFiles">With data.source reference: the capture and reamp WAVs written from these settings.</param>
    /// <param name="scratchDirectory">Where the pair is spilled (default: the temp directory, TMPDIR).</param>
    public static AmpTrainingData Load(
        DataSettings settings,
        (string Capture, string Reamped)? referenceFiles = null,
        string? scratchDirectory = null
    )
    {
        ArgumentNullException.ThrowIfNull(settings);
        var spilled = IngestAndSpill(settings, referenceFiles, scratchDirectory);
        // Ingestion's arrays (the reference amp's signals, as made and aligned; a streamed load's pieces) are garbage
        // now; collect them at once, so training does not run beside what loading left behind until the next full GC.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return spilled;
    }

    /// <remarks>Not inlined: the in-memory pair must die with this frame, before <see cref="Load"/> collects.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AmpTrainingData IngestAndSpill(
        DataSettings settings,
        (string Capture, string Reamped)? referenceFiles,
        string? scratchDirectory
    )
    {
        var ingested = settings.Source switch
        {
            DataSource.Reference => FromReferenceAmp(settings, referenceFiles),
            _ => StreamFromFiles(settings, scratchDirectory),
        };
        return ingested.Spill(scratchDirectory);
    }

    /// <summary>
    /// The capture signal run through the reference amp in memory, then ingested like a recording
    /// (with the amp's known latency as the manual latency): train on the clicks to the validation
    /// repeat, validate on the repeat (the first passage is the same audio, left out). With
    /// <paramref name="files"/>, the pair is read from the WAVs that <c>Amp capture/reamp --config</c> wrote from
    /// the same settings (the pipeline's amp flow), so training reads the very bytes evaluation reads (a reamp
    /// hotter than full scale is clipped there as in the file); the capture must be the one these settings make.
    /// </summary>
    public static AmpTrainingData FromReferenceAmp(
        DataSettings settings,
        (string Capture, string Reamped)? files = null
    )
    {
        var capture = CaptureSignal.Generate(settings.CaptureOptions());
        var amp = new ReferenceAmp.ReferenceAmp(settings.AmpOptions());
        var response = files is { } f
            ? ReadReferencePair(settings, capture, f.Capture, f.Reamped)
            : amp.Process(capture.Samples);
        var pair = CapturePair.Load(
            capture.Samples,
            response,
            capture.SampleRate,
            new IngestOptions
            {
                Layout = capture.Layout,
                ManualLatency = settings.Latency ?? amp.Options.LatencySamples, // data.latency: an LSTM's alignment (DataSettings.Latency)
                InputGainDb = settings.InputGainDb,
            }
        );
        var source = files is { } written ? $"{written.Capture} -> {written.Reamped} (reference amp)" : "reference amp";
        return FromPair(
            pair,
            string.Create(CultureInfo.InvariantCulture, $"{source}, {capture.DurationSeconds:0.#} s capture")
        );
    }

    /// <summary>The reamped samples, after checking the capture file is the signal the settings describe.</summary>
    private static float[] ReadReferencePair(
        DataSettings settings,
        CaptureSignal capture,
        string capturePath,
        string reampedPath
    )
    {
        var di = WavFile.Read(capturePath);
        if (
            di.ChannelCount != 1
            || di.SampleRate != capture.SampleRate
            || !di.Channels[0].AsSpan().SequenceEqual(capture.Samples)
        )
        {
            throw new ArgumentException(
                $"{capturePath}: expected the capture of data: (sample_rate {settings.SampleRate}, seconds {settings.Seconds}, "
                    + $"capture_seed {settings.CaptureSeed}), got another signal; write it with Amp capture --config"
            );
        }

        var wet = WavFile.Read(reampedPath);
        return wet.ChannelCount == 1 && wet.SampleRate == capture.SampleRate && wet.Length == capture.Samples.Length
            ? wet.Channels[0]
            : throw new ArgumentException(
                $"{reampedPath}: expected a mono {capture.SampleRate} Hz reamp of {capturePath} ({capture.Samples.Length} frames), "
                    + $"got {wet.ChannelCount} channel(s) at {wet.SampleRate} Hz, {wet.Length} frames"
            );
    }

    /// <summary>A DI and a reamped WAV, aligned and checked by ingestion (latency detected unless data.latency is given), in memory.</summary>
    public static AmpTrainingData FromFiles(DataSettings settings)
    {
        var (di, reamp) = FilePaths(settings);
        return FromPair(CapturePair.Load(di, reamp, FilesIngestOptions(settings)), $"{di} -> {reamp}");
    }

    /// <summary>
    /// <see cref="FromFiles"/> read a piece at a time straight into a scratch file in <paramref name="scratchDirectory"/>
    /// (default: TMPDIR), so that loading, like training, holds bounded memory whatever the recording's length
    /// (<see cref="CapturePair.LoadStreamed"/>); the same samples, ranges and report.
    /// </summary>
    public static AmpTrainingData StreamFromFiles(DataSettings settings, string? scratchDirectory = null)
    {
        var (di, reamp) = FilePaths(settings);
        var pair = CapturePair.LoadStreamed(di, reamp, FilesIngestOptions(settings), scratchDirectory);
        return FromPair(pair, $"{di} -> {reamp}");
    }

    private static (string Di, string Reamp) FilePaths(DataSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings is { DiPath: { } di, ReampPath: { } reamp }
            ? (di, reamp)
            : throw new ArgumentException("data.di and data.reamp must name the DI and reamped WAV files");
    }

    /// <summary>How data.di/data.reamp are ingested, from the <c>data:</c> settings.</summary>
    private static IngestOptions FilesIngestOptions(DataSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new IngestOptions
        {
            ManualLatency = settings.Latency,
            InputGainDb = settings.InputGainDb,
            Channel = settings.Channel,
            Resample = settings.Resample,
            ValidationSeconds = settings.ValidationSeconds ?? DataSettings.FilesValidationSeconds,
        };
    }

    private static AmpTrainingData FromPair(CapturePair pair, string source)
    {
        var report = pair.Report;
        var l = report.Latency;
        // The alignment the model will learn, and what it came from: every sample of margin is delay the model adds.
        var latency = l.Method switch
        {
            LatencyMethod.Clicks =>
                $"latency {l.Alignment.Latency} samples (clicks at {l.ClickLatency}, margin {l.Alignment.SafetyMargin})",
            LatencyMethod.CrossCorrelation => string.Create(
                CultureInfo.InvariantCulture,
                $"latency {l.Alignment.Latency} samples (cross-correlation: response at {l.CorrelationOnset}, peak {l.CorrelationLatency:0.0}, margin {l.Alignment.SafetyMargin})"
            ),
            _ => $"latency {l.Alignment.Latency} samples ({l.Method.ToString().ToLowerInvariant()})",
        };
        var repeat = report.ReplicateEsr is { } esr
            ? string.Create(CultureInfo.InvariantCulture, $", validation repeat ESR {esr:0.#####}")
            : "";
        return new AmpTrainingData(pair.Signals, pair.SampleRate, pair.TrainRange, pair.ValidationRange)
        {
            Latency = report.ToLatencyMetadata(),
            Checks = report.ToDataChecks(),
            Warnings = report.Warnings,
            Description = string.Create(
                CultureInfo.InvariantCulture,
                $"{source} at {pair.SampleRate} Hz: train {pair.TrainRange.Seconds(pair.SampleRate):0.#} s, "
                    + $"validation {pair.ValidationRange.Seconds(pair.SampleRate):0.#} s, {latency}{repeat}"
            ),
        };
    }

    /// <summary>ESR between the output's two validation passages (same input): large means noise, time effects or moved knobs.</summary>
    public static double RepeatEsr(float[] output, SampleRange first, SampleRange repeat)
    {
        var n = Math.Min(first.Length, repeat.Length);
        return Metrics.Esr(output.AsSpan(first.Start, n), output.AsSpan(repeat.Start, n));
    }
}
