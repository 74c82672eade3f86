using Nsmt.Neural.IO;
using Nsmt.Neural.Optimization;
using static TorchSharp.torch;

namespace Nsmt.Neural.Training;

/// <summary>
/// The one checkpoint layout of both domains (safetensors, readable by PyTorch's safetensors): <c>model/…</c> is the
/// model that was validated, what evaluation and export read (with weight averaging: the averaged weights and the
/// BatchNorm statistics recomputed for them); <c>live/…</c>, only in a run that averages, the weights training continues
/// from; <c>optimizer_state</c>; <c>rng/torch</c> (libtorch's generator). Metadata: <c>format</c>, <c>domain</c>
/// (spectral or amp), the resolved <c>config</c>, the <see cref="TrainingState"/> as <c>state</c>, and what the domain
/// adds (spectral: the dataset's info; amp: the sample rate and the data record of its .nam files).
/// </summary>
/// <remarks>
/// Checkpoints of the two earlier layouts load as this one: <c>nsmt-checkpoint/1</c> (spectral: <c>model.</c> held the
/// averaged weights and <c>live.</c> the live ones) and <c>nsmt-amp-checkpoint/1</c> (amp: <c>model/</c> held the live
/// weights and <c>ema/</c> the averaged parameters). Anything else is refused naming the layout it has.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    public const string Format = "nsmt-checkpoint/2";

    /// <summary>The spectral trainer's earlier layout.</summary>
    public const string SpectralFormatV1 = "nsmt-checkpoint/1";

    /// <summary>The amp trainer's earlier layout.</summary>
    public const string AmpFormatV1 = "nsmt-amp-checkpoint/1";

    public const string ModelPrefix = "model/";

    public const string LivePrefix = "live/";

    public const string RngTensor = "rng/torch";

    internal TrainingCheckpoint(
        string path,
        string domain,
        string layout,
        TrainingState state,
        Dictionary<string, Tensor> tensors,
        Dictionary<string, string> metadata
    )
    {
        Path = path;
        Domain = domain;
        Layout = layout;
        State = state;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>"spectral" or "amp".</summary>
    public string Domain { get; }

    /// <summary>The layout the file was written in (<see cref="Format"/> or an earlier one, converted on load).</summary>
    public string Layout { get; }

    public TrainingState State { get; }

    public Dictionary<string, Tensor> Tensors { get; }

    public Dictionary<string, string> Metadata { get; }

    public string ConfigYaml => Require("config");

    /// <summary>The validated model's state dict (what evaluation and export read).</summary>
    public Dictionary<string, Tensor> Model => Prefixed(ModelPrefix);

    /// <summary>Whether the run averaged weights, so the live weights are stored apart.</summary>
    public bool HasLive => Tensors.Keys.Any(k => k.StartsWith(LivePrefix, StringComparison.Ordinal));

    /// <summary>The state dict training continues from: the live weights, or the model's where the run did not average.</summary>
    public Dictionary<string, Tensor> Live => HasLive ? Prefixed(LivePrefix) : Model;

    public Dictionary<string, Tensor> Prefixed(string prefix) =>
        Tensors
            .Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    public string Require(string key) =>
        Metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{Path}: checkpoint metadata has no '{key}'");

    /// <summary>Puts the checkpoint's optimiser state into <paramref name="optimizer"/> (for an exact resume).</summary>
    public void LoadOptimizerState(optim.Optimizer optimizer) => OptimizerStates.Load(optimizer, Tensors, Path);

    /// <summary>Restores libtorch's generator as it was when the checkpoint was written.</summary>
    public void RestoreRng()
    {
        if (!Tensors.TryGetValue(RngTensor, out var rng))
        {
            throw new InvalidDataException($"{Path}: no '{RngTensor}' tensor (the random state to resume with)");
        }

        random.set_rng_state(rng);
    }

    /// <param name="model">the validated model's state dict (<c>model/</c>)</param>
    /// <param name="live">with weight averaging, the live weights (<c>live/</c>); null otherwise</param>
    /// <param name="extra">the domain's metadata</param>
    public static void Save(
        string path,
        string domain,
        IReadOnlyDictionary<string, Tensor> model,
        IReadOnlyDictionary<string, Tensor>? live,
        optim.Optimizer optimizer,
        TrainingState state,
        string configYaml,
        IReadOnlyDictionary<string, string> extra
    )
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model)
        {
            tensors[ModelPrefix + name] = t;
        }

        foreach (var (name, t) in live ?? new Dictionary<string, Tensor>())
        {
            tensors[LivePrefix + name] = t;
        }

        tensors[OptimizerStates.TensorName] = OptimizerStates.ToTensor(optimizer);
        tensors[RngTensor] = random.get_rng_state();
        var metadata = new Dictionary<string, string>(extra)
        {
            ["format"] = Format,
            ["domain"] = domain,
            ["config"] = configYaml,
            ["state"] = state.ToJson(),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Loads a checkpoint of <paramref name="domain"/>, in this layout or an earlier one.</summary>
    public static TrainingCheckpoint Load(string path, string domain)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found", path);
        }

        var (tensors, metadata) = SafeTensors.Load(path);
        foreach (var t in tensors.Values)
        {
            t.DetachFromDisposeScope();
        }

        try
        {
            var checkpoint = metadata.GetValueOrDefault("format") switch
            {
                Format => new TrainingCheckpoint(
                    path,
                    Field(metadata, "domain", path),
                    Format,
                    TrainingState.FromJson(Field(metadata, "state", path), path),
                    tensors,
                    metadata
                ),
                SpectralFormatV1 => LegacyCheckpoints.FromSpectral(path, tensors, metadata),
                AmpFormatV1 => LegacyCheckpoints.FromAmp(path, tensors, metadata),
                var other => throw new InvalidDataException(
                    $"{path}: not a training checkpoint: metadata 'format' is '{other ?? "(none)"}', expected '{Format}' "
                        + $"(or one of the earlier layouts '{SpectralFormatV1}', '{AmpFormatV1}')"
                ),
            };
            if (checkpoint.Domain != domain)
            {
                throw new InvalidDataException(
                    $"{path}: a checkpoint of {checkpoint.Domain} training (layout '{checkpoint.Layout}'), expected one of {domain} training"
                );
            }

            return checkpoint;
        }
        catch
        {
            DisposeAll(tensors.Values);
            throw;
        }
    }

    internal static string Field(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{path}: not a training checkpoint (metadata field '{key}' missing)");

    private static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        // A converted layout may hold one tensor under two names (an old amp checkpoint's buffers, live and validated).
        foreach (var t in tensors.Distinct())
        {
            t.Dispose();
        }
    }

    public void Dispose() => DisposeAll(Tensors.Values);
}
