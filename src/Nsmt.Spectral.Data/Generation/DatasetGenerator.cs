using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Nsmt.Audio.Dsp;
using Nsmt.Audio.Synth;
using Nsmt.Core;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Json;
using Nsmt.Spectral.Data.Preview;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>Progress of a generation run: samples done out of the total.</summary>
public readonly record struct GenerationProgress(int Done, int Total);

public sealed record GenerationOptions
{
    /// <summary>Dataset directory; default: {generate.output_dir}/{conventional name}.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Worker threads; default all cores. The output does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    public IProgress<GenerationProgress>? Progress { get; init; }

    /// <summary>Write preview.png (contact sheet of the first samples) and summary.txt next to the data.</summary>
    public bool WriteReports { get; init; } = true;

    public int PreviewCount { get; init; } = 16;

    public CancellationToken CancellationToken { get; init; }
}

public sealed record GenerationResult(
    string DatasetDirectory,
    int TrainCount,
    int TestCount,
    TimeSpan Elapsed,
    string? PreviewPath,
    string? SummaryPath,
    string Summary
);

/// <summary>
/// Generates a VIMH dataset from a <see cref="GeneratorConfig"/>: parameters per sample from
/// (seed, index), synthesis, spectrogram image, binary records, JSON metadata. Work is spread over
/// all cores into preallocated slots, so the bytes are identical whatever the thread count.
/// </summary>
public static class DatasetGenerator
{
    private const int ChunkSamples = 4096;

    /// <summary>Bytes of records generated per chunk: large images get fewer samples per chunk, so the buffer stays an int-sized array.</summary>
    private const int MaxChunkBytes = 1 << 30;
    private const int RangeSamples = 64; // samples per parallel work item

    public static GenerationResult Generate(GeneratorConfig config, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new GenerationOptions();
        var clock = Stopwatch.StartNew();
        var directory = Path.GetFullPath(
            options.OutputDirectory ?? Path.Combine(config.OutputRoot, config.DatasetName)
        );
        DatasetDirectory.Claim(directory);

        var total = config.Size;
        var trainCount = VimhFormat.TrainCount(total);
        var heads = config.VaryingParameters.Count;
        var recordSize = VimhFormat.RecordSize(config.Height, config.Width, config.Channels, heads);
        var labels = new byte[(long)total * heads]; // kept for the summary: small (N x heads)
        var previewRecords = new byte[Math.Min(options.PreviewCount, total) * recordSize];

        string trainHash = "",
            testHash = "";
        // Both splits are written to temporaries and renamed only once both are complete (test first, then train),
        // so a failed or killed run never leaves a split that the other does not match.
        AtomicFile.Write(Path.Combine(directory, VimhFormat.TrainFileName), train =>
            AtomicFile.Write(Path.Combine(directory, VimhFormat.TestFileName), test =>
            {
                using var trainSha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var testSha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var chunkSamples = Math.Clamp(MaxChunkBytes / recordSize, 1, ChunkSamples);
                var chunk = new byte[Math.Min(chunkSamples, total) * recordSize];
                var done = 0;
                for (var start = 0; start < total; start += chunkSamples)
                {
                    var count = Math.Min(chunkSamples, total - start);
                    GenerateRecords(
                        config,
                        start,
                        count,
                        chunk,
                        options.MaxDegreeOfParallelism,
                        options.CancellationToken,
                        () => options.Progress?.Report(new GenerationProgress(Interlocked.Increment(ref done), total))
                    );
                    for (var i = 0; i < count; i++)
                    {
                        var position = start + i;
                        ReadOnlySpan<byte> record = chunk.AsSpan(i * recordSize, recordSize);
                        for (var h = 0; h < heads; h++)
                        {
                            labels[((long)position * heads) + h] = record[16 + (2 * h)];
                        }

                        if (position < options.PreviewCount)
                        {
                            record.CopyTo(previewRecords.AsSpan(position * recordSize));
                        }
                    }

                    WriteSplit(chunk, start, count, recordSize, trainCount, train, trainSha, test, testSha);
                }

                trainHash = Convert.ToHexStringLower(trainSha.GetHashAndReset());
                testHash = Convert.ToHexStringLower(testSha.GetHashAndReset());
            })
        );

        var extra = new PyDict(
            ("generator", DatasetDirectory.GeneratorName),
            (
                "generator_version",
                typeof(DatasetGenerator)
                    .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                    ?.InformationalVersion
                    ?? "0"
            ),
            ("config_file", Path.GetFileName(config.SourcePath)),
            ("seed", (long)config.Seed),
            ("sampling", config.Sampling == SamplingMode.Grid ? "grid" : "random"),
            ("shuffled", config.Shuffle),
            ("train_sha256", trainHash),
            ("test_sha256", testHash)
        );
        // The JSON goes last: a directory with a complete info file has complete data files.
        var info = VimhInfoWriter.Build(config, trainCount, total - trainCount, extra);
        AtomicFile.WriteAllText(Path.Combine(directory, VimhFormat.InfoFileName), PythonJson.Serialize(info));
        DatasetDirectory.Complete(directory);

        var specs = config.VaryingParameters;
        var summary = DatasetSummary.Format(config, labels);
        string? previewPath = null,
            summaryPath = null;
        if (options.WriteReports)
        {
            summaryPath = Path.Combine(directory, "summary.txt");
            AtomicFile.WriteAllText(summaryPath, summary);
            if (previewRecords.Length > 0)
            {
                previewPath = Path.Combine(directory, "preview.png");
                ContactSheet.Write(
                    previewPath,
                    previewRecords,
                    recordSize,
                    config.Height,
                    config.Width,
                    config.Channels,
                    specs
                );
            }
        }

        return new GenerationResult(
            directory,
            trainCount,
            total - trainCount,
            clock.Elapsed,
            previewPath,
            summaryPath,
            summary
        );
    }

    /// <summary>
    /// Generates records [start, start+count) into <paramref name="destination"/> (count * record size bytes).
    /// Each sample's bytes depend only on the config and its position.
    /// </summary>
    public static void GenerateRecords(
        GeneratorConfig config,
        int start,
        int count,
        Span<byte> destination,
        int? maxDegreeOfParallelism = null,
        CancellationToken cancellationToken = default,
        Action? onSampleDone = null
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        var heads = config.VaryingParameters.Count;
        var recordSize = VimhFormat.RecordSize(config.Height, config.Width, config.Channels, heads);
        if (destination.Length < (long)count * recordSize)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} bytes, {count} records need {(long)count * recordSize}"
            );
        }

        var sampler = new ParameterSampler(config);
        unsafe
        {
            fixed (byte* basePointer = destination)
            {
                var address = (nint)basePointer;
                var parallel = new ParallelOptions
                {
                    MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount,
                    CancellationToken = cancellationToken,
                };
                // Ranges of samples rather than one delegate call per ~20 µs sample: less scheduling
                // overhead, still fine-grained enough to balance the load.
                var ranges = Partitioner.Create(0, count, RangeSamples);
                Parallel.ForEach(
                    ranges,
                    parallel,
                    () => new SampleWorker(config, sampler),
                    (range, _, worker) =>
                    {
                        for (var i = range.Item1; i < range.Item2; i++)
                        {
                            var slot = new Span<byte>((byte*)address + ((long)i * recordSize), recordSize);
                            worker.Render(start + i, slot);
                            onSampleDone?.Invoke();
                        }

                        return worker;
                    },
                    _ => { }
                );
            }
        }
    }

    /// <summary>
    /// Renders the record for explicit parameter values (config order; fixed parameters take their
    /// value when absent). Useful to inspect one sample or to re-synthesise a prediction.
    /// </summary>
    public static byte[] RenderRecord(GeneratorConfig config, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(values);
        foreach (var name in values.Keys)
        {
            if (!config.Parameters.Any(p => p.Name == name))
            {
                throw new ArgumentException(
                    $"parameter '{name}' is not in the config (expected one of {string.Join(", ", config.Parameters.Select(p => p.Name))})"
                );
            }
        }

        var ordered = config
            .Parameters.Select(p =>
                values.TryGetValue(p.Name, out var v) ? v
                : p.IsVarying ? throw new ArgumentException($"a value for varying parameter '{p.Name}' is required")
                : p.Min.Value
            )
            .ToArray();
        var record = new byte[
            VimhFormat.RecordSize(config.Height, config.Width, config.Channels, config.VaryingParameters.Count)
        ];
        new SampleWorker(config, new ParameterSampler(config)).RenderValues(ordered, record);
        return record;
    }

    private static void WriteSplit(
        byte[] chunk,
        int start,
        int count,
        int recordSize,
        int trainCount,
        Stream train,
        IncrementalHash trainSha,
        Stream test,
        IncrementalHash testSha
    )
    {
        var inTrain = Math.Clamp(trainCount - start, 0, count);
        if (inTrain > 0)
        {
            train.Write(chunk, 0, inTrain * recordSize);
            trainSha.AppendData(chunk, 0, inTrain * recordSize);
        }

        if (count - inTrain > 0)
        {
            test.Write(chunk, inTrain * recordSize, (count - inTrain) * recordSize);
            testSha.AppendData(chunk, inTrain * recordSize, (count - inTrain) * recordSize);
        }
    }

    /// <summary>Per-thread state: synthesiser, buffers and the spectrogram imager.</summary>
    private sealed class SampleWorker
    {
        private readonly GeneratorConfig _config;
        private readonly ParameterSampler _sampler;
        private readonly SimpleSawSynth _synth;
        private readonly SpectrogramImager _imager;
        private readonly double[] _values;
        private readonly KeyValuePair<string, double>[] _named; // reused: no per-sample allocation
        private readonly byte[] _quantized;
        private readonly double[] _audio;
        private readonly byte[] _image;
        private readonly int[] _varying;

        public SampleWorker(GeneratorConfig config, ParameterSampler sampler)
        {
            _config = config;
            _sampler = sampler;
            _synth = new SimpleSawSynth(config.SampleRate);
            _imager = new SpectrogramImager(config);
            _values = new double[config.Parameters.Count];
            _named = new KeyValuePair<string, double>[config.Parameters.Count];
            _varying = Enumerable
                .Range(0, config.Parameters.Count)
                .Where(i => config.Parameters[i].IsVarying)
                .ToArray();
            _quantized = new byte[_varying.Length];
            _audio = new double[SpectrogramImager.SamplesNeeded(config)];
            _image = new byte[config.Height * config.Width * config.Channels];
        }

        public void Render(int position, Span<byte> record)
        {
            _sampler.ValuesAt(position, _values);
            RenderValues(_values, record);
        }

        public void RenderValues(ReadOnlySpan<double> values, Span<byte> record)
        {
            values.CopyTo(_values);
            for (var p = 0; p < _values.Length; p++)
            {
                _named[p] = KeyValuePair.Create(_config.Parameters[p].Name, _values[p]);
            }

            var parameters = SawSynthParameters.FromValues(_named, _config.Duration);
            // Synthesis is causal, so the prefix the image needs equals the start of the full clip.
            // Kept in double precision, as the spec's worked example is computed.
            _synth.Render(parameters, _audio);
            PreEmphasis.Apply(_audio, _config.PreEmphasis.Value);
            (var specMin, var specMax) = _imager.Render(_audio, _image);
            for (var h = 0; h < _varying.Length; h++)
            {
                _quantized[h] = _config.Parameters[_varying[h]].Quantize(_values[_varying[h]]);
            }

            VimhRecord.Write(
                record,
                _config.Height,
                _config.Width,
                _config.Channels,
                specMin,
                specMax,
                _quantized,
                _image
            );
        }
    }
}
