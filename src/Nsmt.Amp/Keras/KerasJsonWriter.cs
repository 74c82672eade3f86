using System.Text.Json;

namespace Nsmt.Amp.Keras;

/// <summary>Writes a <see cref="KerasModel"/> as RTNeural "keras" JSON with AIDA-X's fields (the reader's layout).</summary>
internal static class KerasJsonWriter
{
    public static void Write(KerasModel model, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        WriteShape(json, "in_shape", model.InputSize);
        json.WriteNumber("in_skip", model.InputSkip ? 1 : 0);
        json.WriteNumber("in_gain", model.InputGainDb);
        json.WriteNumber("out_gain", model.OutputGainDb);
        if (model.SampleRate is { } rate)
        {
            json.WriteNumber(KerasJsonReader.SampleRateKey, rate);
        }

        if (model.Knobs.Count > 0)
        {
            json.WriteStartArray(KerasJsonReader.KnobsKey);
            foreach (var knob in model.Knobs)
            {
                json.WriteStartObject();
                json.WriteString("name", knob.Name);
                json.WriteNumber("min", knob.Minimum);
                json.WriteNumber("max", knob.Maximum);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("layers");
        foreach (var layer in model.Layers)
        {
            WriteLayer(json, layer);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLayer(Utf8JsonWriter json, KerasLayer layer)
    {
        json.WriteStartObject();
        json.WriteString("type", layer.TypeName);
        json.WriteString("activation", layer is KerasDense dense ? ActivationName(dense.Activation) : "tanh");
        WriteShape(json, "shape", layer.OutputSize);
        json.WriteStartArray("weights");
        switch (layer)
        {
            case KerasDense d:
                WriteMatrix(json, d.Kernel, d.InputSize, d.OutputSize);
                WriteVector(json, d.Bias);
                break;
            case KerasLstm l:
                WriteMatrix(json, l.Kernel, l.InputSize, 4 * l.OutputSize);
                WriteMatrix(json, l.Recurrent, l.OutputSize, 4 * l.OutputSize);
                WriteVector(json, l.Bias);
                break;
            case KerasGru g:
                WriteMatrix(json, g.Kernel, g.InputSize, 3 * g.OutputSize);
                WriteMatrix(json, g.Recurrent, g.OutputSize, 3 * g.OutputSize);
                WriteMatrix(json, g.Bias, 2, 3 * g.OutputSize);
                break;
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string ActivationName(KerasActivation activation) =>
        activation switch
        {
            KerasActivation.None => string.Empty,
            _ => activation.ToString().ToLowerInvariant(),
        };

    private static void WriteShape(Utf8JsonWriter json, string key, int features)
    {
        json.WriteStartArray(key);
        json.WriteNullValue();
        json.WriteNullValue();
        json.WriteNumberValue(features);
        json.WriteEndArray();
    }

    private static void WriteMatrix(Utf8JsonWriter json, float[] values, int rows, int columns)
    {
        json.WriteStartArray();
        for (var r = 0; r < rows; r++)
        {
            WriteVector(json, values.AsSpan(r * columns, columns));
        }

        json.WriteEndArray();
    }

    private static void WriteVector(Utf8JsonWriter json, ReadOnlySpan<float> values)
    {
        json.WriteStartArray();
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"cannot write a non-finite weight ({value}); the model diverged");
            }

            // float32 values written as the shortest text that reads back to the same float32.
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }
}
