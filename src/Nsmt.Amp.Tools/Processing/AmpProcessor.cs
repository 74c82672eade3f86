using System.Diagnostics;
using System.Globalization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Format;
using Nsmt.Audio;
using Nsmt.Audio.Dsp;

namespace Nsmt.Amp.Processing;

/// <summary>
/// Runs a NAM model over audio: offline (chunked, identical to one pass) or streaming (the
/// real-time engine, block by block). Input at another rate is resampled to the model's rate and
/// back. The output level is never changed; samples above full scale are counted and reported.
/// </summary>
public static class AmpProcessor
{
    /// <summary>Processes a mono signal at <paramref name="sampleRate"/>; the result has the input's length and rate.</summary>
    /// <exception cref="ArgumentException">The rates differ and resampling is off, or an option is out of range.</exception>
    public static float[] Process(
        NamModel model,
        ReadOnlySpan<float> input,
        int sampleRate,
        ProcessingOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ProcessingOptions();
        CheckOptions(options);
        var modelRate = ModelRate(model, sampleRate);
        if (modelRate == sampleRate)
        {
            return RunModel(model, input, options);
        }

        if (!options.AllowResampling)
        {
            throw new ArgumentException(
                $"the model runs at {modelRate} Hz but the input is at {sampleRate} Hz (resampling is off)"
            );
        }

        var atModelRate = new Resampler(sampleRate, modelRate).Process(input);
        var processed = RunModel(model, atModelRate, options);
        var back = new Resampler(modelRate, sampleRate).Process(processed);
        return back.AsSpan(0, input.Length).ToArray();
    }

    /// <summary>Loads a <c>.nam</c> file and processes a WAV file with it.</summary>
    /// <exception cref="NamFormatException">The model file is invalid (names file and field).</exception>
    public static ProcessingReport ProcessFile(
        string modelPath,
        string inputPath,
        string outputPath,
        ProcessingOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        return ProcessFile(NamFile.Load(modelPath), inputPath, outputPath, options);
    }

    /// <summary>
    /// Processes every channel of a WAV file independently and writes the result atomically
    /// (the input file is never touched, even when both paths are the same).
    /// </summary>
    public static ProcessingReport ProcessFile(
        NamModel model,
        string inputPath,
        string outputPath,
        ProcessingOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        options ??= new ProcessingOptions();
        CheckOptions(options);
        if (!File.Exists(inputPath))
        {
            throw new FileNotFoundException($"{inputPath}: no such file", inputPath);
        }

        var audio = WavFile.Read(inputPath);
        FiniteSamples.Require(audio, inputPath); // as check and training refuse it: NaN in, NaN out for a receptive field
        var warnings = new List<string>();
        var modelRate = ModelRate(model, audio.SampleRate);
        if (model.SampleRate is null)
        {
            warnings.Add($"the model does not state its sample rate; assumed the input's {audio.SampleRate} Hz");
        }

        if (modelRate != audio.SampleRate && !options.AllowResampling)
        {
            throw new ArgumentException(
                $"{inputPath}: sample_rate: expected the model's {modelRate} Hz (resampling is off), got {audio.SampleRate} Hz"
            );
        }

        var watch = Stopwatch.StartNew();
        var channels = new float[audio.ChannelCount][];
        for (var c = 0; c < audio.ChannelCount; c++)
        {
            channels[c] = Process(model, audio.Channels[c], audio.SampleRate, options);
        }

        watch.Stop();
        long above = 0;
        double peak = 0;
        foreach (var channel in channels)
        {
            foreach (var v in channel)
            {
                double a = Math.Abs(v);
                peak = Math.Max(peak, a);
                if (a > 1)
                {
                    above++;
                }
            }
        }

        if (above > 0)
        {
            var note = options.OutputFormat.IsFloat() ? "" : $", so the {options.OutputFormat} file clips them";
            warnings.Add(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{above} output samples exceed full scale (peak {20 * Math.Log10(peak):+0.00} dBFS); left as they are{note}"
                )
            );
        }

        var result = WavFile.Write(outputPath, new AudioBuffer(audio.SampleRate, channels), options.OutputFormat);
        return new ProcessingReport
        {
            InputSampleRate = audio.SampleRate,
            ModelSampleRate = modelRate,
            Resampled = modelRate != audio.SampleRate,
            Channels = audio.ChannelCount,
            Frames = audio.Length,
            Mode = DescribeMode(options),
            TanhMode = options.TanhMode,
            SamplesAboveFullScale = above,
            OutputPeakDbfs = 20 * Math.Log10(peak),
            ClippedInFile = result.ClippedSamples,
            OutputFormat = options.OutputFormat,
            Elapsed = watch.Elapsed,
            Warnings = warnings,
        };
    }

    /// <summary>The model at its own rate: offline chunked, or the streaming engine block by block.</summary>
    private static float[] RunModel(NamModel model, ReadOnlySpan<float> input, ProcessingOptions options)
    {
        model = model.AtSize(options.Size);
        var output = new float[input.Length];
        if (options.BlockSize is { } block)
        {
            var engine = NamEngineFactory.Create(model, options.TanhMode);
            for (var start = 0; start < input.Length; start += block)
            {
                var count = Math.Min(block, input.Length - start);
                engine.Process(input.Slice(start, count), output.AsSpan(start, count));
            }
        }
        else
        {
            var chunk = Math.Min(options.ChunkSize, Math.Max(1, input.Length));
            new ChunkedNamProcessor(model, options.TanhMode, chunk).Process(input, output);
        }

        return output;
    }

    private static int ModelRate(NamModel model, int inputRate)
    {
        if (model.SampleRate is not { } rate)
        {
            return inputRate;
        }

        if (rate != Math.Round(rate) || rate > int.MaxValue)
        {
            throw new ArgumentException(
                $"sample_rate: expected a whole number of Hz to resample to, got {rate.ToString(CultureInfo.InvariantCulture)}"
            );
        }

        return (int)rate;
    }

    private static string DescribeMode(ProcessingOptions options) =>
        (
            options.BlockSize is { } block
                ? $"streaming, blocks of {block} samples"
                : $"offline, chunks of {options.ChunkSize} samples"
        ) + (options.Size < 1 ? string.Create(CultureInfo.InvariantCulture, $", slimmable size {options.Size}") : "");

    private static void CheckOptions(ProcessingOptions options)
    {
        if (options.BlockSize is < 1 or > ProcessingOptions.MaxBlockSize)
        {
            throw new ArgumentException(
                $"BlockSize: expected 1 to {ProcessingOptions.MaxBlockSize} samples, got {options.BlockSize}"
            );
        }

        if (!(options.Size >= 0 && options.Size <= 1))
        {
            throw new ArgumentException($"Size: expected a slimmable size in [0, 1], got {options.Size}");
        }

        if (options.ChunkSize is < 1 or > 1 << 24)
        {
            throw new ArgumentException($"ChunkSize: expected 1 to {1 << 24} samples, got {options.ChunkSize}");
        }
    }
}
