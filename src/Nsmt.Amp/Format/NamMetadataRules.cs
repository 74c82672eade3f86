namespace Nsmt.Amp.Format;

/// <summary>What a <c>metadata</c> object we write must satisfy beyond its types (NAM's vocabularies, ranges, finite numbers).</summary>
internal static class NamMetadataRules
{
    public static void Check(NamMetadata metadata)
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

    private static void CheckFinite(double? value, string field)
    {
        if (value is { } v && !double.IsFinite(v))
        {
            throw new NamFormatException(null, field, $"must be finite, got {v}");
        }
    }
}
