using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
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

    /// <summary>Writes the model atomically.</summary>
    public static void Save(KnobWaveNet module, string path, double sampleRate, NamMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(module);
        var weights = Weights(module);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            w.WriteStartObject();
            w.WriteString("format", KnobWaveNetReader.Format);
            w.WriteNumber("format_version", KnobWaveNetReader.FormatVersion);
            w.WriteStartArray("knobs");
            foreach (var knob in module.Knobs)
            {
                w.WriteStartObject();
                w.WriteString("name", knob.Name);
                w.WriteNumber("min", knob.Minimum);
                w.WriteNumber("max", knob.Maximum);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("model");
            WriteModel(w, module, weights, sampleRate, metadata);
            w.WriteEndObject();
            w.Flush();
        });
    }

    private static void WriteModel(
        Utf8JsonWriter w,
        KnobWaveNet module,
        float[] weights,
        double sampleRate,
        NamMetadata? metadata
    )
    {
        w.WriteStartObject();
        w.WriteString("version", "0.6.0");
        if (metadata is not null)
        {
            w.WritePropertyName("metadata");
            NamMetadataWriter.Write(w, metadata);
        }

        w.WriteString("architecture", "WaveNet");
        w.WriteStartObject("config");
        w.WriteStartArray("layers");
        foreach (var array in module.Architecture.LayerArrays)
        {
            w.WriteStartObject();
            w.WriteNumber("input_size", array.InputSize);
            w.WriteNumber("condition_size", 1 + module.Knobs.Count);
            w.WriteStartObject("head");
            w.WriteNumber("out_channels", array.HeadSize);
            w.WriteNumber("kernel_size", 1);
            w.WriteBoolean("bias", array.HeadBias);
            w.WriteEndObject();
            w.WriteNumber("channels", array.Channels);
            w.WriteNumber("kernel_size", array.KernelSize);
            w.WriteStartArray("dilations");
            foreach (var d in array.Dilations)
            {
                w.WriteNumberValue(d);
            }

            w.WriteEndArray();
            w.WriteString("activation", array.Activation);
            w.WriteStartObject("layer1x1");
            w.WriteBoolean("active", true);
            w.WriteNumber("groups", 1);
            w.WriteEndObject();
            w.WriteStartObject("activation_pre_film");
            w.WriteBoolean("active", true);
            w.WriteBoolean("shift", true);
            w.WriteNumber("groups", 1);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNull("head");
        w.WriteNumber("head_scale", module.HeadScale);
        w.WriteEndObject();
        w.WriteStartArray("weights");
        foreach (var v in weights)
        {
            // "R" keeps every float32 exactly.
            w.WriteRawValue(v.ToString("R", CultureInfo.InvariantCulture));
        }

        w.WriteEndArray();
        w.WriteNumber("sample_rate", sampleRate);
        w.WriteEndObject();
    }
}
