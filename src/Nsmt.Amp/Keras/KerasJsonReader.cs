using System.Text.Json;
using Nsmt.Amp.Format;
using static Nsmt.Amp.Format.JsonFields;

namespace Nsmt.Amp.Keras;

/// <summary>
/// Parses RTNeural's "keras" JSON (the layout its model loader reads, which AIDA-X extends with
/// <c>in_skip</c>, <c>in_gain</c>, <c>out_gain</c>): <c>in_shape</c> [null, null, inputs], then
/// <c>layers</c>, each with <c>type</c>, <c>shape</c> [null, null, outputs], <c>activation</c> and
/// <c>weights</c> in Keras' layout. Keys of other tools are ignored, as RTNeural and AIDA-X do.
/// </summary>
internal static class KerasJsonReader
{
    public const string KnobsKey = "nsmt_knobs";
    public const string SampleRateKey = "samplerate";

    public static KerasModel Parse(ReadOnlyMemory<byte> utf8Json, string? sourceName)
    {
        try
        {
            if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
            {
                throw new NamFormatException(null, "(json)", "not valid UTF-8 text; a Keras model file is UTF-8 JSON");
            }

            using var document = ParseDocument(utf8Json);
            return ParseRoot(document.RootElement);
        }
        catch (NamFormatException e)
        {
            throw e.WithFile(sourceName);
        }
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            return JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}"
                : string.Empty;
            throw new NamFormatException(
                null,
                "(json)",
                $"not valid JSON{where}: {e.Message.Split(" LineNumber:", 2)[0].TrimEnd()}",
                e
            );
        }
    }

    private static KerasModel ParseRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, "(root)", "must be a JSON object with in_shape and layers");
        }

        var inputs = LastDimension(RequireArray(root, string.Empty, "in_shape"), "in_shape");
        var layersJson = RequireArray(root, string.Empty, "layers");
        var layers = new List<KerasLayer>();
        var width = inputs;
        var index = 0;
        foreach (var layerJson in layersJson.EnumerateArray())
        {
            var layer = ParseLayer(layerJson, $"layers[{index}]", width);
            layers.Add(layer);
            width = layer.OutputSize;
            index++;
        }

        if (layers.Count == 0)
        {
            throw new NamFormatException(null, "layers", "must hold at least one layer");
        }

        var model = new KerasModel(inputs, layers)
        {
            InputSkip = ParseSkip(root),
            InputGainDb = OptionalNumber(root, "in_gain") ?? 0,
            OutputGainDb = OptionalNumber(root, "out_gain") ?? 0,
            SampleRate =
                OptionalNumber(root, SampleRateKey) is { } rate && rate > 0 ? rate
                : Optional(root, SampleRateKey) is null ? null
                : throw new NamFormatException(null, SampleRateKey, "must be a positive number of Hz"),
            Knobs = ParseKnobs(root, inputs),
        };
        return model;
    }

    private static bool ParseSkip(JsonElement root)
    {
        if (Optional(root, "in_skip") is not { } skip)
        {
            return false;
        }

        var value = AsInt(skip, "in_skip");
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new NamFormatException(
                null,
                "in_skip",
                $"must be 0 or 1 (AIDA-X supports no other), got {value}"
            ),
        };
    }

    private static double? OptionalNumber(JsonElement root, string key) =>
        Optional(root, key) is { } value ? AsDouble(value, key) : null;

    private static IReadOnlyList<KnobRange> ParseKnobs(JsonElement root, int inputs)
    {
        if (Optional(root, KnobsKey) is not { } knobs)
        {
            return [];
        }

        if (knobs.ValueKind != JsonValueKind.Array || knobs.GetArrayLength() != inputs - 1)
        {
            throw new NamFormatException(
                null,
                KnobsKey,
                $"must be an array of {inputs - 1} knob(s) (in_shape has {inputs} inputs: the audio and the knobs)"
            );
        }

        var result = new List<KnobRange>();
        var i = 0;
        foreach (var knob in knobs.EnumerateArray())
        {
            var path = $"{KnobsKey}[{i++}]";
            if (knob.ValueKind != JsonValueKind.Object)
            {
                throw new NamFormatException(null, path, "must be an object with name, min and max");
            }

            var name = RequireString(knob, path, "name");
            var min = Optional(knob, "min") is { } minJson
                ? AsDouble(minJson, Join(path, "min"))
                : throw new NamFormatException(null, Join(path, "min"), "required key is missing");
            var max = Optional(knob, "max") is { } maxJson ? AsDouble(maxJson, Join(path, "max")) : double.NaN;
            if (!(max > min))
            {
                throw new NamFormatException(null, Join(path, "max"), $"must be a number above min ({min})");
            }

            result.Add(new KnobRange(name, min, max));
        }

        return result;
    }

    private static KerasLayer ParseLayer(JsonElement layer, string path, int inputs)
    {
        if (layer.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, path, "must be an object with type, shape and weights");
        }

        var type = RequireString(layer, path, "type");
        var activation = Optional(layer, "activation") is { } a
            ? a.ValueKind == JsonValueKind.String
                ? a.GetString()!
                : throw new NamFormatException(null, Join(path, "activation"), "must be a string")
            : string.Empty;
        var outputs = LastDimension(RequireArray(layer, path, "shape"), Join(path, "shape"));
        var weights = RequireArray(layer, path, "weights");
        var weightsPath = Join(path, "weights");
        switch (type)
        {
            case "dense":
            case "time-distributed-dense":
                ExpectCount(weights, weightsPath, 1, 2);
                var kernel = Matrix(weights[0], $"{weightsPath}[0]", inputs, outputs);
                var bias =
                    weights.GetArrayLength() > 1
                        ? Vector(weights[1], $"{weightsPath}[1]", outputs)
                        : new float[outputs];
                return new KerasDense(
                    inputs,
                    outputs,
                    kernel,
                    bias,
                    ParseActivation(activation, path),
                    type != "dense"
                );
            case "lstm":
                RequireTanh(activation, path);
                ExpectCount(weights, weightsPath, 3, 3);
                return new KerasLstm(
                    inputs,
                    outputs,
                    Matrix(weights[0], $"{weightsPath}[0]", inputs, 4 * outputs),
                    Matrix(weights[1], $"{weightsPath}[1]", outputs, 4 * outputs),
                    Vector(weights[2], $"{weightsPath}[2]", 4 * outputs)
                );
            case "gru":
                RequireTanh(activation, path);
                ExpectCount(weights, weightsPath, 3, 3);
                return new KerasGru(
                    inputs,
                    outputs,
                    Matrix(weights[0], $"{weightsPath}[0]", inputs, 3 * outputs),
                    Matrix(weights[1], $"{weightsPath}[1]", outputs, 3 * outputs),
                    Matrix(weights[2], $"{weightsPath}[2]", 2, 3 * outputs)
                );
            default:
                throw new NamFormatException(
                    null,
                    Join(path, "type"),
                    $"unsupported layer type '{type}' (this engine plays dense, time-distributed-dense, lstm and gru)"
                );
        }
    }

    private static KerasActivation ParseActivation(string name, string path) =>
        name switch
        {
            "" or "linear" => KerasActivation.None,
            "tanh" => KerasActivation.Tanh,
            "relu" => KerasActivation.Relu,
            "sigmoid" => KerasActivation.Sigmoid,
            "elu" => KerasActivation.Elu,
            "softmax" => KerasActivation.Softmax,
            _ => throw new NamFormatException(
                null,
                Join(path, "activation"),
                $"unsupported activation '{name}' (expected one of \"\", tanh, relu, sigmoid, elu, softmax)"
            ),
        };

    private static void RequireTanh(string activation, string path)
    {
        // RTNeural's recurrent layers always use tanh; another name would play differently than Keras trained it.
        if (activation is not ("" or "tanh"))
        {
            throw new NamFormatException(
                null,
                Join(path, "activation"),
                $"a recurrent layer's activation must be tanh, got '{activation}'"
            );
        }
    }

    private static int LastDimension(JsonElement shape, string path)
    {
        if (shape.GetArrayLength() == 0)
        {
            throw new NamFormatException(null, path, "must end with the feature count, e.g. [null, null, 1]");
        }

        var size = AsInt(shape[shape.GetArrayLength() - 1], $"{path}[{shape.GetArrayLength() - 1}]");
        return size is >= 1 and <= 4096
            ? size
            : throw new NamFormatException(
                null,
                $"{path}[{shape.GetArrayLength() - 1}]",
                $"must be a feature count in [1, 4096], got {size}"
            );
    }

    private static void ExpectCount(JsonElement weights, string path, int min, int max)
    {
        var count = weights.GetArrayLength();
        if (count < min || count > max)
        {
            var expected = min == max ? $"{min}" : $"{min} to {max}";
            throw new NamFormatException(null, path, $"expected {expected} weight arrays, got {count}");
        }
    }

    private static float[] Matrix(JsonElement rows, string path, int rowCount, int columns)
    {
        if (rows.ValueKind != JsonValueKind.Array || rows.GetArrayLength() != rowCount)
        {
            throw new NamFormatException(null, path, $"expected a [{rowCount}][{columns}] array, got {Shape(rows)}");
        }

        var values = new float[rowCount * columns];
        for (var r = 0; r < rowCount; r++)
        {
            Vector(rows[r], $"{path}[{r}]", columns).CopyTo(values, r * columns);
        }

        return values;
    }

    private static float[] Vector(JsonElement array, string path, int length)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != length)
        {
            throw new NamFormatException(null, path, $"expected {length} numbers, got {Shape(array)}");
        }

        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = AsFiniteSingle(array[i], $"{path}[{i}]");
        }

        return values;
    }

    private static string Shape(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array
            ? $"an array of {value.GetArrayLength()}"
            : value.ValueKind.ToString().ToLowerInvariant();
}
