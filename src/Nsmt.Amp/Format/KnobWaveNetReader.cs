using System.Text.Json;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Keras;
using static Nsmt.Amp.Format.JsonFields;

namespace Nsmt.Amp.Format;

/// <summary>A knob WaveNet as read: the WaveNet (its condition the audio and the knobs) and each knob's range.</summary>
public sealed record KnobWaveNetModel(NamModel Model, IReadOnlyList<KnobRange> Knobs);

/// <summary>
/// Reads a knob WaveNet file (README, "Knob models"): <c>{"format": "nsmt-knob-wavenet", "format_version": 1,
/// "knobs": [{"name", "min", "max"}...], "model": M}</c>, M a .nam 0.6 WaveNet object whose layer arrays have
/// <c>condition_size</c> 1 + knobs (the audio row, then each knob normalised to 0..1 over [min, max]). NAM Core has
/// no knob input, so such a model is never a .nam; a bad file is refused naming the file and field.
/// </summary>
public static class KnobWaveNetReader
{
    public const string Format = "nsmt-knob-wavenet";
    public const int FormatVersion = 1;

    private static readonly HashSet<string> RootKeys = ["format", "format_version", "knobs", "model"];
    private static readonly HashSet<string> KnobKeys = ["name", "min", "max"];

    /// <summary>Whether the JSON file at <paramref name="path"/> says it is a knob WaveNet (its <c>format</c>).</summary>
    public static bool IsKnobWaveNet(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format)
                && format.ValueKind == JsonValueKind.String
                && format.GetString() == Format;
        }
        catch (JsonException)
        {
            return false; // not JSON at all: the other readers say what is wrong with it
        }
    }

    public static KnobWaveNetModel Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
            return Parse(document.RootElement);
        }
        catch (NamFormatException e)
        {
            throw e.WithFile(path);
        }
        catch (JsonException e)
        {
            throw new NamFormatException(path, "(json)", $"not valid JSON: {e.Message}", e);
        }
    }

    private static KnobWaveNetModel Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new NamFormatException(null, "(root)", "must be a JSON object");
        }

        RejectUnknownKeys(root, string.Empty, RootKeys, "not part of a knob WaveNet file");
        if (RequireString(root, string.Empty, "format") != Format)
        {
            throw new NamFormatException(null, "format", $"expected \"{Format}\"");
        }

        if (RequireInt(root, string.Empty, "format_version") != FormatVersion)
        {
            throw new NamFormatException(null, "format_version", $"this reader knows version {FormatVersion}");
        }

        var knobs = RequireObjects(root, string.Empty, "knobs", (knob, field) =>
        {
            RejectUnknownKeys(knob, field, KnobKeys, "not part of a knob");
            var range = new KnobRange(
                RequireString(knob, field, "name"),
                AsDouble(
                    Optional(knob, "min") ?? throw new NamFormatException(null, $"{field}.min", "required"),
                    $"{field}.min"
                ),
                AsDouble(
                    Optional(knob, "max") ?? throw new NamFormatException(null, $"{field}.max", "required"),
                    $"{field}.max"
                )
            );
            return range.Maximum > range.Minimum
                ? range
                : throw new NamFormatException(
                    null,
                    field,
                    $"max must be above min, got {range.Minimum}..{range.Maximum}"
                );
        });
        if (
            knobs.Count is < 1 or > ExtendedWaveNetConfig.MaxKnobInputs
            || knobs.Select(k => k.Name).Distinct().Count() != knobs.Count
        )
        {
            throw new NamFormatException(
                null,
                "knobs",
                $"1 to {ExtendedWaveNetConfig.MaxKnobInputs} knobs of distinct names expected, got {knobs.Count}"
            );
        }

        var model = NamReader.ParseKnobWaveNet(RequireObject(root, string.Empty, "model"), knobs.Count);
        return new KnobWaveNetModel(model, knobs);
    }
}
