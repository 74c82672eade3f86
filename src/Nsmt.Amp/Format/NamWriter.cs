using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Architectures;

namespace Nsmt.Amp.Format;

/// <summary>
/// Writes version 0.5.4 <c>.nam</c> JSON: every legacy key, none of the newer ones, float32
/// values in round-trippable invariant form ("R"), booleans as true/false.
/// </summary>
/// <remarks>
/// The one kind of JSON output not written from source-generated records (issue 28): the <c>.nam</c> family (this,
/// ExtendedWaveNetWriter's key sets, NamMetadataWriter, A2NamFile, KnobWaveNetFile) and AIDA-X's model.json
/// (KerasJsonWriter) are format contracts checked against NAM Core's and RTNeural's fixtures. Which keys appear, and in
/// which order, depends on the file version and key set; weights are written as float32 "R" text (raw values, so no
/// serializer's number formatting can change them); the metadata's optional fields are left out, not written null.
/// Records for them would need a converter per key set; until byte-identity tests against these writers exist, they
/// stay as they are.
/// </remarks>
internal static class NamWriter
{
    public static void Write(NamModel model, Stream stream)
    {
        CheckExportRules(model);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("version", NamModel.CurrentVersion);
        if (model.Metadata is { } metadata)
        {
            writer.WritePropertyName("metadata");
            NamMetadataWriter.Write(writer, metadata);
        }

        writer.WriteString("architecture", model.Architecture.ToFileValue());
        writer.WritePropertyName("config");
        switch (model.Config)
        {
            case WaveNetConfig wavenet:
                WriteWaveNetConfig(writer, wavenet);
                break;
            case LstmConfig lstm:
                WriteLstmConfig(writer, lstm);
                break;
            default:
                throw new NamFormatException(null, "config", $"no writer for {model.Config.GetType().Name}");
        }

        writer.WriteStartArray("weights");
        foreach (var w in model.Weights)
        {
            WriteSingle(writer, w);
        }

        writer.WriteEndArray();
        writer.WriteNumber("sample_rate", model.SampleRate!.Value);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Rules beyond those every <see cref="NamModel"/> satisfies, needed for a file Core loads as we mean it.</summary>
    public static void CheckExportRules(NamModel model)
    {
        if (model.SampleRate is null)
        {
            throw new NamFormatException(
                null,
                "sample_rate",
                "is unknown; a model we export must state the rate its input must have"
            );
        }

        if (model.Config is WaveNetConfig wavenet && wavenet.HeadScale != model.Weights[^1])
        {
            throw new NamFormatException(
                null,
                "config.head_scale",
                $"is {wavenet.HeadScale.ToString("R", CultureInfo.InvariantCulture)} but the last weight (which Core uses) is "
                    + $"{model.Weights[^1].ToString("R", CultureInfo.InvariantCulture)}; they must be equal"
            );
        }

        if (model.Metadata is { } metadata)
        {
            NamMetadataWriter.CheckRules(metadata);
        }
    }

    private static void WriteWaveNetConfig(Utf8JsonWriter writer, WaveNetConfig config)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("layers");
        foreach (var array in config.LayerArrays)
        {
            writer.WriteStartObject();
            writer.WriteNumber("input_size", array.InputSize);
            writer.WriteNumber("condition_size", array.ConditionSize);
            writer.WriteNumber("head_size", array.HeadSize);
            writer.WriteNumber("channels", array.Channels);
            writer.WriteNumber("kernel_size", array.KernelSize);
            writer.WriteStartArray("dilations");
            foreach (var d in array.Dilations)
            {
                writer.WriteNumberValue(d);
            }

            writer.WriteEndArray();
            writer.WriteString("activation", array.Activation);
            writer.WriteBoolean("gated", array.Gated);
            writer.WriteBoolean("head_bias", array.HeadBias);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNull("head");
        writer.WritePropertyName("head_scale");
        WriteSingle(writer, config.HeadScale);
        writer.WriteEndObject();
    }

    private static void WriteLstmConfig(Utf8JsonWriter writer, LstmConfig config)
    {
        writer.WriteStartObject();
        writer.WriteNumber("input_size", config.InputSize);
        writer.WriteNumber("hidden_size", config.HiddenSize);
        writer.WriteNumber("num_layers", config.NumLayers);
        writer.WriteEndObject();
    }

    /// <summary>"R" gives the shortest text that parses back to the same float32.</summary>
    private static void WriteSingle(Utf8JsonWriter writer, float value) =>
        writer.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
}
