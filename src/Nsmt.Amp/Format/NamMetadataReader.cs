using System.Text.Json;
using static Nsmt.Amp.Format.JsonFields;

namespace Nsmt.Amp.Format;

/// <summary>
/// Reads <c>metadata</c>. Every field is optional and may be JSON null; keys we do not know are
/// ignored (Core ignores all metadata); a known key with the wrong type is an error naming it.
/// </summary>
internal static class NamMetadataReader
{
    public static NamMetadata Parse(JsonElement meta)
    {
        const string path = "metadata";
        RequireKind(meta, path, JsonValueKind.Object);
        return new NamMetadata
        {
            Date = Optional(meta, "date") is { } date ? ParseDate(date, $"{path}.date") : null,
            Loudness = OptionalDouble(meta, path, "loudness"),
            Gain = OptionalDouble(meta, path, "gain"),
            Name = OptionalString(meta, path, "name"),
            ModeledBy = OptionalString(meta, path, "modeled_by"),
            GearMake = OptionalString(meta, path, "gear_make"),
            GearModel = OptionalString(meta, path, "gear_model"),
            GearType = OptionalString(meta, path, "gear_type"),
            ToneType = OptionalString(meta, path, "tone_type"),
            InputLevelDbu = OptionalDouble(meta, path, "input_level_dbu"),
            OutputLevelDbu = OptionalDouble(meta, path, "output_level_dbu"),
            Training = Optional(meta, "training") is { } training ? ParseTraining(training, $"{path}.training") : null,
        };
    }

    private static NamDate ParseDate(JsonElement date, string path)
    {
        RequireKind(date, path, JsonValueKind.Object);
        return new NamDate(
            RequireInt(date, path, "year"),
            RequireInt(date, path, "month"),
            RequireInt(date, path, "day"),
            RequireInt(date, path, "hour"),
            RequireInt(date, path, "minute"),
            RequireInt(date, path, "second")
        );
    }

    private static NamTrainingMetadata ParseTraining(JsonElement training, string path)
    {
        RequireKind(training, path, JsonValueKind.Object);
        return new NamTrainingMetadata
        {
            Settings = Optional(training, "settings") is { } settings
                ? ParseSettings(settings, $"{path}.settings")
                : null,
            Data = Optional(training, "data") is { } data ? ParseData(data, $"{path}.data") : null,
            ValidationEsr = OptionalDouble(training, path, "validation_esr"),
        };
    }

    private static NamTrainingSettings ParseSettings(JsonElement settings, string path)
    {
        RequireKind(settings, path, JsonValueKind.Object);
        return new NamTrainingSettings { IgnoreChecks = OptionalBool(settings, path, "ignore_checks") };
    }

    /// <summary>Reads <c>metadata.training.data</c> (also what a training checkpoint keeps of it).</summary>
    public static NamTrainingData ParseData(JsonElement data, string path)
    {
        RequireKind(data, path, JsonValueKind.Object);
        return new NamTrainingData
        {
            Latency = Optional(data, "latency") is { } latency ? ParseLatency(latency, $"{path}.latency") : null,
            Checks = Optional(data, "checks") is { } checks ? ParseChecks(checks, $"{path}.checks") : null,
        };
    }

    private static NamLatencyMetadata ParseLatency(JsonElement latency, string path)
    {
        RequireKind(latency, path, JsonValueKind.Object);
        return new NamLatencyMetadata
        {
            Manual = OptionalInt(latency, path, "manual"),
            Calibration = Optional(latency, "calibration") is { } calibration
                ? ParseCalibration(calibration, $"{path}.calibration")
                : null,
        };
    }

    private static NamLatencyCalibration ParseCalibration(JsonElement calibration, string path)
    {
        RequireKind(calibration, path, JsonValueKind.Object);
        List<int>? delays = null;
        if (Optional(calibration, "delays") is { } delaysElement)
        {
            RequireKind(delaysElement, $"{path}.delays", JsonValueKind.Array);
            delays = [];
            foreach (var delay in delaysElement.EnumerateArray())
            {
                delays.Add(AsInt(delay, $"{path}.delays[{delays.Count}]"));
            }
        }

        return new NamLatencyCalibration
        {
            AlgorithmVersion = OptionalInt(calibration, path, "algorithm_version"),
            Delays = delays,
            SafetyFactor = OptionalInt(calibration, path, "safety_factor"),
            Recommended = OptionalInt(calibration, path, "recommended"),
            Warnings = Optional(calibration, "warnings") is { } warnings
                ? ParseWarnings(warnings, $"{path}.warnings")
                : null,
        };
    }

    private static NamLatencyWarnings ParseWarnings(JsonElement warnings, string path)
    {
        RequireKind(warnings, path, JsonValueKind.Object);
        return new NamLatencyWarnings
        {
            MatchesLookahead = OptionalBool(warnings, path, "matches_lookahead"),
            DisagreementTooHigh = OptionalBool(warnings, path, "disagreement_too_high"),
            NotDetected = OptionalBool(warnings, path, "not_detected"),
        };
    }

    private static NamDataChecks ParseChecks(JsonElement checks, string path)
    {
        RequireKind(checks, path, JsonValueKind.Object);
        return new NamDataChecks
        {
            Version = OptionalInt(checks, path, "version"),
            Passed = OptionalBool(checks, path, "passed"),
        };
    }

    private static void RequireKind(JsonElement value, string path, JsonValueKind kind)
    {
        if (value.ValueKind != kind)
        {
            throw new NamFormatException(
                null,
                path,
                $"must be {(kind == JsonValueKind.Object ? "an object" : "an array")}"
            );
        }
    }

    private static double? OptionalDouble(JsonElement obj, string path, string key) =>
        Optional(obj, key) is { } value ? AsDouble(value, Join(path, key)) : null;

    private static int? OptionalInt(JsonElement obj, string path, string key) =>
        Optional(obj, key) is { } value ? AsInt(value, Join(path, key)) : null;

    private static bool? OptionalBool(JsonElement obj, string path, string key) =>
        Optional(obj, key) is { } value ? AsBool(value, Join(path, key)) : null;

    private static string? OptionalString(JsonElement obj, string path, string key)
    {
        if (Optional(obj, key) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new NamFormatException(null, Join(path, key), "must be a string");
    }
}
