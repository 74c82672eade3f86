using System.Text.Json;

namespace Nsmt.Amp.Format;

/// <summary>Writes <c>metadata</c>; absent (null) fields are omitted.</summary>
internal static class NamMetadataWriter
{
    public static void CheckRules(NamMetadata metadata)
    {
        if (metadata.GearType is { } gearType && !NamMetadata.GearTypes.Contains(gearType))
        {
            throw new NamFormatException(
                null,
                "metadata.gear_type",
                $"'{gearType}' is not one of {string.Join(", ", NamMetadata.GearTypes)}"
            );
        }

        if (metadata.ToneType is { } toneType && !NamMetadata.ToneTypes.Contains(toneType))
        {
            throw new NamFormatException(
                null,
                "metadata.tone_type",
                $"'{toneType}' is not one of {string.Join(", ", NamMetadata.ToneTypes)}"
            );
        }

        if (metadata.Gain is { } gain && !(gain >= 0 && gain <= 1))
        {
            throw new NamFormatException(null, "metadata.gain", $"must lie in [0, 1], got {gain}");
        }

        CheckFinite(metadata.Loudness, "metadata.loudness");
        CheckFinite(metadata.InputLevelDbu, "metadata.input_level_dbu");
        CheckFinite(metadata.OutputLevelDbu, "metadata.output_level_dbu");
        CheckFinite(metadata.Training?.ValidationEsr, "metadata.training.validation_esr");
    }

    public static void Write(Utf8JsonWriter writer, NamMetadata metadata)
    {
        writer.WriteStartObject();
        if (metadata.Date is { } date)
        {
            writer.WriteStartObject("date");
            writer.WriteNumber("year", date.Year);
            writer.WriteNumber("month", date.Month);
            writer.WriteNumber("day", date.Day);
            writer.WriteNumber("hour", date.Hour);
            writer.WriteNumber("minute", date.Minute);
            writer.WriteNumber("second", date.Second);
            writer.WriteEndObject();
        }

        Number(writer, "loudness", metadata.Loudness);
        Number(writer, "gain", metadata.Gain);
        Text(writer, "name", metadata.Name);
        Text(writer, "modeled_by", metadata.ModeledBy);
        Text(writer, "gear_type", metadata.GearType);
        Text(writer, "gear_make", metadata.GearMake);
        Text(writer, "gear_model", metadata.GearModel);
        Text(writer, "tone_type", metadata.ToneType);
        Number(writer, "input_level_dbu", metadata.InputLevelDbu);
        Number(writer, "output_level_dbu", metadata.OutputLevelDbu);
        if (metadata.Training is { } training)
        {
            WriteTraining(writer, training);
        }

        writer.WriteEndObject();
    }

    private static void WriteTraining(Utf8JsonWriter writer, NamTrainingMetadata training)
    {
        writer.WriteStartObject("training");
        if (training.Settings is { } settings)
        {
            writer.WriteStartObject("settings");
            Bool(writer, "ignore_checks", settings.IgnoreChecks);
            writer.WriteEndObject();
        }

        if (training.Data is { } data)
        {
            writer.WritePropertyName("data");
            WriteData(writer, data);
        }

        Number(writer, "validation_esr", training.ValidationEsr);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>metadata.training.data</c> as an object (also what a training checkpoint keeps of it).</summary>
    public static void WriteData(Utf8JsonWriter writer, NamTrainingData data)
    {
        writer.WriteStartObject();
        if (data.Latency is { } latency)
        {
            writer.WriteStartObject("latency");
            Number(writer, "manual", latency.Manual);
            if (latency.Calibration is { } calibration)
            {
                WriteCalibration(writer, calibration);
            }

            writer.WriteEndObject();
        }

        if (data.Checks is { } checks)
        {
            writer.WriteStartObject("checks");
            Number(writer, "version", checks.Version);
            Bool(writer, "passed", checks.Passed);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteCalibration(Utf8JsonWriter writer, NamLatencyCalibration calibration)
    {
        writer.WriteStartObject("calibration");
        Number(writer, "algorithm_version", calibration.AlgorithmVersion);
        if (calibration.Delays is { } delays)
        {
            writer.WriteStartArray("delays");
            foreach (var delay in delays)
            {
                writer.WriteNumberValue(delay);
            }

            writer.WriteEndArray();
        }

        Number(writer, "safety_factor", calibration.SafetyFactor);
        Number(writer, "recommended", calibration.Recommended);
        if (calibration.Warnings is { } warnings)
        {
            writer.WriteStartObject("warnings");
            Bool(writer, "matches_lookahead", warnings.MatchesLookahead);
            Bool(writer, "disagreement_too_high", warnings.DisagreementTooHigh);
            Bool(writer, "not_detected", warnings.NotDetected);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void CheckFinite(double? value, string field)
    {
        if (value is { } v && !double.IsFinite(v))
        {
            throw new NamFormatException(null, field, $"must be finite, got {v}");
        }
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void Number(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void Text(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void Bool(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(name, v);
        }
    }
}
