using System.Text.Json;
using System.Text.Json.Serialization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Training.Modules;
using Nsmt.Core;

namespace Nsmt.Amp.Training.Export;

/// <summary>
/// Writes the file of a <see cref="KnobWaveNet"/> that <see cref="KnobWaveNetReader"/> reads (README, "Knob models"): a JSON object
/// <c>{"format": "nsmt-knob-wavenet", "format_version": 1, "knobs": [{"name", "min", "max"}...], "model": M}</c>
/// where M is a .nam 0.6.0 WaveNet object (version, metadata, architecture, config, weights, sample_rate) whose
/// layer arrays have <c>condition_size</c> 1 + knobs (condition rows: the audio, then each knob normalised to 0..1
/// over [min, max]) and an active <c>activation_pre_film</c> with shift. NAM Core has no knob input, so the
/// wrapper keeps the file from being taken for a .nam; knob-less WaveNets stay .nam files.
/// </summary>
public static class KnobWaveNetFile
{
    public const string DefaultFileName = "knob_wavenet.json";

    /// <summary>The .nam version of the model object.</summary>
    public const string Version = "0.6.0";

    /// <summary>The module's weights in file order, head_scale last; fails naming a non-finite tensor.</summary>
    public static float[] Weights(KnobWaveNet module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var values = new List<float>();
        foreach (var (tensor, name) in module.WeightTensors())
        {
            NamExport.Append(values, tensor, name);
        }

        values.Add(module.HeadScale);
        return [.. values];
    }

    /// <summary>Sets the module's tensors from a flat vector in file order (head_scale last, equal to the architecture's).</summary>
    public static void SetWeights(KnobWaveNet module, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(weights);
        var offset = 0;
        using (TorchSharp.torch.no_grad())
        {
            foreach (var (tensor, name) in module.WeightTensors())
            {
                offset = NamExport.Fill(tensor, weights, offset, name);
            }
        }

        if (offset != weights.Length - 1 || weights[^1] != module.HeadScale)
        {
            throw new ArgumentException(
                $"expected {offset + 1} weights ending in head_scale {module.HeadScale}, got {weights.Length} ending in {weights[^1]}",
                nameof(weights)
            );
        }
    }

    /// <summary>
    /// The model's .nam 0.6 WaveNet config: its A1 arrays with condition_size 1 + knobs and an active
    /// activation_pre_film with shift (everything else at NAM Core's defaults).
    /// </summary>
    public static ExtendedWaveNetConfig FileConfig(KnobWaveNet module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ExtendedWaveNetConfig
        {
            LayerArrays =
            [
                .. module.Architecture.LayerArrays.Select(a => new ExtendedLayerArrayConfig
                {
                    InputSize = a.InputSize,
                    ConditionSize = 1 + module.Knobs.Count,
                    Channels = a.Channels,
                    Bottleneck = a.Channels,
                    KernelSizes = [.. Enumerable.Repeat(a.KernelSize, a.Dilations.Count)],
                    Dilations = a.Dilations,
                    Activations = [.. Enumerable.Repeat(NamActivation.Tanh, a.Dilations.Count)],
                    GatingModes = [.. Enumerable.Repeat(GatingMode.None, a.Dilations.Count)],
                    SecondaryActivations = [.. Enumerable.Repeat<NamActivation?>(null, a.Dilations.Count)],
                    HeadSize = a.HeadSize,
                    HeadBias = a.HeadBias,
                    Head1x1OutChannels = a.Channels,
                    Films = new Dictionary<FilmPosition, FilmConfig>
                    {
                        [FilmPosition.ActivationPre] = new(Active: true, Shift: true),
                    },
                }),
            ],
            HeadScale = module.HeadScale,
            KnobInputs = module.Knobs.Count,
        };
    }

    /// <summary>Writes the model atomically (its config in <see cref="WaveNetKeySet.Compact"/> form).</summary>
    public static void Save(KnobWaveNet module, string path, double sampleRate, NamMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = new KnobWaveNetFileJson(
            KnobWaveNetReader.Format,
            KnobWaveNetReader.FormatVersion,
            [.. module.Knobs.Select(KnobRangeJson.Of)],
            new NamModel(FileConfig(module), Weights(module), sampleRate, metadata, Version)
        );
        AtomicFile.Write(path, stream =>
            JsonSerializer.Serialize(stream, file, AmpTrainingJsonContext.KnobWaveNet.KnobWaveNetFileJson)
        );
    }
}

/// <summary>A knob WaveNet file (<see cref="KnobWaveNetFile"/>): the wrapper's fields, then the .nam model object.</summary>
internal sealed record KnobWaveNetFileJson(
    string Format,
    int FormatVersion,
    IReadOnlyList<KnobRangeJson> Knobs,
    [property: JsonConverter(typeof(CompactWaveNetModelConverter))] NamModel Model
);

/// <summary>
/// Writes the model object with the 0.6 WaveNet writer in its compact key set: the .nam format's writer owns that
/// object's keys and number forms, so the knob file's model reads as a .nam's does. Reading is the reader's
/// (<see cref="KnobWaveNetReader"/>), which checks every field.
/// </summary>
internal sealed class CompactWaveNetModelConverter : JsonConverter<NamModel>
{
    public override NamModel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("a knob WaveNet file is read by KnobWaveNetReader");

    public override void Write(Utf8JsonWriter writer, NamModel value, JsonSerializerOptions options) =>
        ExtendedWaveNetWriter.WriteModel(writer, value, WaveNetKeySet.Compact);
}
