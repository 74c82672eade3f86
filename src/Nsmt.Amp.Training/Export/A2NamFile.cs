using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Export;

/// <summary>One width of an A2 export: its module, the largest size it serves, and its own metadata.</summary>
public sealed record A2Submodel(NamA2WaveNet Module, double MaxValue, NamMetadata? Metadata);

/// <summary>
/// A2 WaveNets as <c>.nam</c> files the way NAM's trainer writes them and Core HEAD reads them: a single 0.6.0 WaveNet
/// (every 0.6 layer-array field, FiLM and head1x1 inactive), or a 0.7.0 SlimmableContainer whose submodels are 0.7.0
/// WaveNets, each with its <c>max_value</c> (Core plays the first submodel whose max_value is at least the size).
/// The flat weights are in Core's order (see <see cref="A2Config.WeightCount"/>), head_scale last.
/// </summary>
public static class A2NamFile
{
    public const string WaveNetVersion = "0.6.0";
    public const string ContainerVersion = "0.7.0";

    /// <summary>Writes one A2 as a 0.6.0 WaveNet, atomically.</summary>
    public static void SaveWaveNet(NamA2WaveNet module, string path, double sampleRate, NamMetadata? metadata) =>
        AtomicFile.Write(path, stream => Write(stream, WaveNetJson(module, WaveNetVersion, sampleRate, metadata)));

    /// <summary>Writes the widths as a 0.7.0 SlimmableContainer (smallest first, the last serving size 1.0), atomically.</summary>
    public static void SaveContainer(
        IReadOnlyList<A2Submodel> submodels,
        string path,
        double sampleRate,
        NamMetadata? metadata
    )
    {
        ArgumentOutOfRangeException.ThrowIfZero(submodels.Count);
        if (
            submodels[^1].MaxValue != 1.0
            || submodels.Zip(submodels.Skip(1)).Any(p => p.First.MaxValue >= p.Second.MaxValue)
        )
        {
            throw new ArgumentException(
                "submodels' max_value must increase and end at 1.0 (Core's rule)",
                nameof(submodels)
            );
        }

        var container = new NamFileJson(
            ContainerVersion,
            metadata,
            "SlimmableContainer",
            new SlimmableContainerConfigJson([
                .. submodels.Select(s => new SlimmableSubmodelJson(
                    s.MaxValue,
                    WaveNetJson(s.Module, ContainerVersion, sampleRate, s.Metadata)
                )),
            ]),
            [],
            sampleRate
        );
        AtomicFile.Write(path, stream => Write(stream, container));
    }

    /// <summary>The module's weights in .nam order, head_scale last; fails naming the tensor when one is not finite.</summary>
    public static float[] Weights(NamA2WaveNet module)
    {
        var values = new List<float>(module.Config.WeightCount);
        foreach (var (tensor, name) in Tensors(module))
        {
            NamExport.Append(values, tensor, name);
        }

        values.Add(module.HeadScale);
        return [.. values];
    }

    /// <summary>
    /// Reads an A2 file (a 0.6/0.7 WaveNet, or a SlimmableContainer of them) into torch modules, smallest first.
    /// A feature outside A2 fails with <see cref="NamFormatException"/> naming the file and field.
    /// </summary>
    public static IReadOnlyList<A2Submodel> Load(string path)
    {
        var model = NamFile.Load(path);
        return model.Config is SlimmableContainerConfig container
            ?
            [
                .. container.Submodels.Select(
                    (s, i) =>
                        new A2Submodel(
                            FromModel(s.Model, path, $"config.submodels[{i}].model.config"),
                            s.MaxValue,
                            s.Model.Metadata
                        )
                ),
            ]
            : [new A2Submodel(FromModel(model, path, "config"), 1.0, model.Metadata)];
    }

    private static NamA2WaveNet FromModel(NamModel model, string path, string at) =>
        FromWeights(A2Config.From(model.Config, path, at), model.Weights);

    /// <summary>A module holding a flat .nam weight vector (head_scale last) of <paramref name="config"/>.</summary>
    public static NamA2WaveNet FromWeights(A2Config config, float[] weights)
    {
        if (weights.Length != config.WeightCount)
        {
            throw new ArgumentException(
                $"the A2 config uses {config.WeightCount} weights, got {weights.Length}",
                nameof(weights)
            );
        }

        var module = new NamA2WaveNet(config) { HeadScale = weights[^1] };
        var offset = 0;
        using (no_grad())
        {
            foreach (var (tensor, name) in Tensors(module))
            {
                offset = NamExport.Fill(tensor, weights, offset, name);
            }
        }

        return module;
    }

    /// <summary>The trained tensors in .nam order (without head_scale); weights are [out][in][k] row-major, as Core reads them.</summary>
    internal static IEnumerable<(Tensor tensor, string name)> Tensors(NamA2WaveNet module)
    {
        yield return (module.Rechannel.weight, "rechannel.weight");
        for (var l = 0; l < module.Layers.Count; l++)
        {
            var layer = module.Layers[l];
            var p = $"layers.{l}";
            yield return (layer.Conv.weight, $"{p}.conv.weight");
            yield return (layer.Conv.bias!, $"{p}.conv.bias");
            yield return (layer.InputMixer.weight, $"{p}.input_mixer.weight");
            yield return (layer.Layer1x1.weight, $"{p}.layer1x1.weight");
            yield return (layer.Layer1x1.bias!, $"{p}.layer1x1.bias");
        }

        yield return (module.Head.weight, "head.weight");
        if (module.Head.bias is { } bias)
        {
            yield return (bias, "head.bias");
        }
    }

    private static void Write(Stream stream, NamFileJson model) =>
        JsonSerializer.Serialize(stream, model, AmpFormatJsonContext.Default.NamFileJson);

    /// <summary>A WaveNet model object with every key of a 0.6 layer array, as NAM's trainer exports A2.</summary>
    private static NamFileJson WaveNetJson(
        NamA2WaveNet module,
        string version,
        double sampleRate,
        NamMetadata? metadata
    ) =>
        ExtendedWaveNetWriter.ToJson(
            new NamModel(module.Config.ToNamConfig(module.HeadScale), Weights(module), sampleRate, metadata, version),
            WaveNetKeySet.Complete
        );
}
