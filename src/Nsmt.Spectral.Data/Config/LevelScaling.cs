using Nsmt.Config;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Config;

/// <summary>
/// How the dB spectrogram becomes 8-bit pixels (generate.level). <c>minmax</c> is NSMT's per-image mapping: each
/// image's own minimum is 0 and its maximum 255, which erases the overall level, so note_velocity (a pure gain)
/// cannot be learned from the image. <c>absolute</c> maps one fixed dB range for the whole dataset
/// (generate.db_floor -> 0, generate.db_ceiling -> 255, clipped), so louder notes give brighter images.
/// </summary>
/// <remarks>
/// The dB are the image's own (20*log10 of the 1/sqrt(n_fft)-normalised STFT magnitude, the units of spec_min and
/// spec_max), not dB relative to a full-scale sine: simple_saw at velocity 127 peaks near +9 dB with n_fft 80.
/// With <c>absolute</c> every record's spec_min/spec_max hold the floor and the ceiling, so decoding a pixel with
/// the record's own fields (spec_min + p/255*(spec_max - spec_min)) still gives its dB; the info JSON records the
/// range under <c>level_scaling</c>, a key NSMT's loader does not read and leaves alone.
/// </remarks>
public sealed record LevelScaling(bool Absolute, ConfigNumber FloorDb, ConfigNumber CeilingDb)
{
    public const string InfoKey = "level_scaling";

    /// <summary>NSMT's per-image min-max mapping (the default; datasets stay byte-identical to NSMT's).</summary>
    public static LevelScaling MinMax { get; } = new(false, ConfigNumber.Float(-80.0), ConfigNumber.Float(20.0));

    internal static LevelScaling Bind(ConfigReader b, EnvelopeOptions envelopes)
    {
        var absolute = b.Choice("generate.level", "minmax", "minmax", "absolute") == "absolute";
        var floor = GeneratorConfig.Number(b, "generate.db_floor", MinMax.FloorDb);
        var ceiling = GeneratorConfig.Number(b, "generate.db_ceiling", MinMax.CeilingDb);
        if (!absolute)
        {
            return MinMax with { FloorDb = floor, CeilingDb = ceiling };
        }

        if (!(double.IsFinite(floor.Value) && double.IsFinite(ceiling.Value) && ceiling.Value > floor.Value))
        {
            throw b.Error(
                "generate.db_ceiling",
                $"a number above generate.db_floor ({floor})",
                ceiling.ToString(),
                b.Scalar("generate.db_ceiling") ?? b.Scalar("generate.db_floor")
            );
        }

        // The envelope channels are rescaled jointly by min-max after the gray image is made (NSMT's rule), which
        // would undo a fixed range; refuse rather than write images that silently lose the level again.
        if (envelopes.Any)
        {
            throw b.Error(
                "generate.level",
                "minmax with envelope channels (generate.temporal_envelope/spectral_envelope rescale "
                    + "the channel stack per image, which would undo a fixed dB range)",
                "'absolute'",
                b.Scalar("generate.level")
            );
        }

        return new LevelScaling(true, floor, ceiling);
    }

    /// <summary>The info JSON entry (absolute only; a min-max dataset's JSON stays exactly NSMT's).</summary>
    internal PyDict ToInfo() =>
        new(
            ("mode", "absolute"),
            ("db_floor", FloorDb.ToPy()),
            ("db_ceiling", CeilingDb.ToPy()),
            (
                "description",
                "pixel = clip(round_half_even((dB - db_floor)/(db_ceiling - db_floor)*255), 0, 255) for the whole dataset; "
                    + "spec_min/spec_max of every record hold db_floor/db_ceiling"
            )
        );
}
