using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;
using Nsmt.Neural.IO;
using Nsmt.Neural.Optimization;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training;

/// <summary>One kept checkpoint: its epoch, validation ESR and file name (in checkpoints/).</summary>
public sealed record RankedCheckpoint(int Epoch, double ValidationEsr, string FileName);

/// <summary>The loop's counters, saved with every checkpoint so a resumed run continues exactly.</summary>
public sealed record TrainingProgress
{
    /// <summary>Index of the last completed epoch (-1 before the first).</summary>
    public int Epoch { get; init; } = -1;

    public long GlobalStep { get; init; }

    public double ValidationEsr { get; init; } = double.NaN;

    public double BestValidationEsr { get; init; } = double.PositiveInfinity;

    public int BestEpoch { get; init; } = -1;

    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Training time of the run so far (all sessions).</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The top-k checkpoints, best first.</summary>
    public IReadOnlyList<RankedCheckpoint> TopK { get; init; } = [];
}

/// <summary>
/// A training checkpoint as safetensors (readable by PyTorch's safetensors): "model/..." (state
/// dict), "optimizer/..." (Adam moments), "ema/..." (averaged weights, when the run averages),
/// "rng/torch" (libtorch's generator), and metadata: the
/// resolved config, optimizer and scheduler numbers, the loop's counters, and what ingestion found out about the data
/// (<c>metadata.training.data</c> of the <c>.nam</c>: the alignment the run trained with and the data checks), so that
/// an export from the checkpoint carries the same.
/// </summary>
public static class AmpCheckpoint
{
    public const string Format = "nsmt-amp-checkpoint/1";

    /// <summary>Key prefix of the averaged weights in the checkpoint ("ema/" + the parameter's state_dict name).</summary>
    public const string AveragePrefix = "ema/";

    /// <summary>Metadata key of the <c>.nam</c>'s <c>metadata.training.data</c> (absent in checkpoints of older runs).</summary>
    private const string TrainingDataKey = "training_data";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Save(
        string path,
        AmpModule model,
        optim.Optimizer optimizer,
        LRScheduler scheduler,
        TrainingProgress progress,
        string configYaml,
        int sampleRate,
        WeightAverage? average = null,
        NamTrainingData? trainingData = null
    )
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            tensors["model/" + name] = t;
        }

        tensors[OptimizerStates.TensorName] = OptimizerStates.ToTensor(optimizer);

        foreach (var (name, t) in average?.Averages.Select(a => (AveragePrefix + a.Name, a.Average)) ?? [])
        {
            tensors[name] = t;
        }

        tensors["rng/torch"] = random.get_rng_state();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = configYaml,
            ["sample_rate"] = sampleRate.ToString(CultureInfo.InvariantCulture),
            ["scheduler"] = JsonSerializer.Serialize(scheduler.state_dict(), Json),
            ["progress"] = JsonSerializer.Serialize(progress, Json),
        };
        if (trainingData is not null)
        {
            metadata[TrainingDataKey] = TrainingDataJson(trainingData);
        }

        SafeTensors.Save(path, tensors, metadata);
    }

    private static string TrainingDataJson(NamTrainingData data)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            NamMetadataWriter.WriteData(writer, data);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A checkpoint's contents; dispose to free the tensors.</summary>
    public sealed class Contents : IDisposable
    {
        internal Contents(string path, Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
        {
            Path = path;
            Tensors = tensors;
            Metadata = metadata;
            if (!metadata.TryGetValue("format", out var format) || format != AmpCheckpoint.Format)
            {
                throw new InvalidDataException(
                    $"{path}: not an amp training checkpoint (metadata 'format' is '{format}', expected '{AmpCheckpoint.Format}')"
                );
            }

            Progress = JsonSerializer.Deserialize<TrainingProgress>(Require("progress"), Json)
                ?? throw new InvalidDataException($"{path}: empty 'progress' metadata");
        }

        public string Path { get; }

        public Dictionary<string, Tensor> Tensors { get; }

        public Dictionary<string, string> Metadata { get; }

        public TrainingProgress Progress { get; }

        public string ConfigYaml => Require("config");

        public int SampleRate => int.Parse(Require("sample_rate"), CultureInfo.InvariantCulture);

        /// <summary>The data record the run's <c>.nam</c> files carry (alignment, checks); null in checkpoints of older runs.</summary>
        public NamTrainingData? TrainingData
        {
            get
            {
                if (!Metadata.TryGetValue(TrainingDataKey, out var json))
                {
                    return null;
                }

                try
                {
                    using var document = JsonDocument.Parse(json);
                    return NamMetadataReader.ParseData(document.RootElement, $"{Path}: {TrainingDataKey}");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException(
                        $"{Path}: metadata '{TrainingDataKey}' is not valid JSON: {e.Message}",
                        e
                    );
                }
            }
        }

        public void LoadModel(AmpModule model)
        {
            var state = Tensors
                .Where(kv => kv.Key.StartsWith("model/", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key["model/".Length..], kv => kv.Value);
            // TorchSharp says only "state_dict is not identical": name the first weight that differs.
            if (Mismatch(model.state_dict(), state) is { } mismatch)
            {
                throw new InvalidDataException(
                    $"{Path}: the checkpoint does not fit the configured model: {mismatch} "
                        + "(was it trained with another model preset or size?)"
                );
            }

            try
            {
                model.load_state_dict(state);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(
                    $"{Path}: the checkpoint does not fit the configured model: {e.Message}",
                    e
                );
            }
        }

        /// <summary>The first weight the model and the checkpoint disagree on (name or shape), or null when they fit.</summary>
        private static string? Mismatch(
            IReadOnlyDictionary<string, Tensor> model,
            IReadOnlyDictionary<string, Tensor> checkpoint
        )
        {
            static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
            if (model.Keys.FirstOrDefault(k => !checkpoint.ContainsKey(k)) is { } missing)
            {
                return $"the model's weight '{missing}' {Shape(model[missing])} is not in it";
            }

            if (checkpoint.Keys.FirstOrDefault(k => !model.ContainsKey(k)) is { } extra)
            {
                return $"its weight '{extra}' {Shape(checkpoint[extra])} is not one of the model's";
            }

            return model.Keys.FirstOrDefault(k => !model[k].shape.SequenceEqual(checkpoint[k].shape)) is { } differs
                ? $"weight '{differs}' is {Shape(checkpoint[differs])} in it and {Shape(model[differs])} in the model"
                : null;
        }

        /// <summary>Whether the checkpoint holds averaged weights (the ones validated and exported).</summary>
        public bool HasAverage => Tensors.Keys.Any(k => k.StartsWith(AveragePrefix, StringComparison.Ordinal));

        /// <summary>Puts the checkpoint's averaged weights (or, without an average, its raw ones) into the model.</summary>
        public void LoadExportedWeights(AmpModule model)
        {
            LoadModel(model);
            if (HasAverage)
            {
                using var average = new WeightAverage(model, 0.5);
                average.Load(Averages(), Path);
                average.CopyToModel();
            }
        }

        /// <summary>The averaged weights by parameter name (without the "ema/" prefix), for <see cref="WeightAverage.Load"/>.</summary>
        public IReadOnlyDictionary<string, Tensor> Averages() =>
            Tensors
                .Where(kv => kv.Key.StartsWith(AveragePrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[AveragePrefix.Length..], kv => kv.Value);

        public void LoadTrainingState(optim.Optimizer optimizer, LRScheduler scheduler)
        {
            OptimizerStates.Load(optimizer, Tensors, Path);
            scheduler.load_state_dict(
                JsonSerializer.Deserialize<Dictionary<string, double>>(Require("scheduler"), Json)!
            );
            if (Tensors.TryGetValue("rng/torch", out var rng))
            {
                random.set_rng_state(rng);
            }
        }

        private string Require(string key) =>
            Metadata.TryGetValue(key, out var value)
                ? value
                : throw new InvalidDataException($"{Path}: checkpoint metadata has no '{key}'");

        public void Dispose()
        {
            foreach (var t in Tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    public static Contents Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint not found: {path}", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        foreach (var t in tensors.Values)
        {
            t.DetachFromDisposeScope();
        }

        return new Contents(path, tensors, metadata);
    }
}
