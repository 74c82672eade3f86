using Nsmt.Config;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Config;

/// <summary>generate.level: how the image's pixels relate to the dB spectrogram.</summary>
public enum LevelMode
{
    /// <summary>NSMT's per-image min-max: each image spans 0..255 (the level is erased, the shape kept).</summary>
    MinMax,

    /// <summary>One fixed dB range for the whole dataset (the level is kept, on top of the shape).</summary>
    Absolute,

    /// <summary>Two channels: NSMT's min-max image (channel 0) and the same dB on the fixed range (channel 1).</summary>
    Both,
}

/// <summary>
/// How the dB spectrogram becomes 8-bit pixels (generate.level). <c>minmax</c> is NSMT's per-image mapping: each
/// image's own minimum is 0 and its maximum 255, which erases the overall level, so note_velocity (a pure gain)
/// cannot be learned from the image. <c>absolute</c> maps one fixed dB range for the whole dataset
/// (generate.db_floor -> 0, generate.db_ceiling -> 255, clipped), so louder notes give brighter images. <c>both</c>
/// writes two channels, the min-max image and the absolute one, so a network sees the decay's shape as NSMT scales it
/// and the level beside it.
/// </summary>
/// <remarks>
/// The dB are the image's own (20*log10 of the 1/sqrt(n_fft)-normalised STFT magnitude, the units of spec_min and
/// spec_max), not dB relative to a full-scale sine: simple_saw at velocity 127 peaks near +9 dB with n_fft 80.
/// With <c>absolute</c> every record's spec_min/spec_max hold the floor and the ceiling, so decoding a pixel with
/// the record's own fields (spec_min + p/255*(spec_max - spec_min)) still gives its dB. With <c>both</c> channel 0 is
/// byte-identical to the <c>minmax</c> dataset's image and spec_min/spec_max are its own range (as NSMT's), while
/// channel 1 decodes with the dataset's floor and ceiling. The info JSON records the range under <c>level_scaling</c>,
/// a key NSMT's loader does not read and leaves alone; a two-channel record is plain VIMH (C = 2, planar), which
/// NSMT's loader reads like any other channel count.
/// </remarks>
public sealed record LevelScaling(LevelMode Mode, ConfigNumber FloorDb, ConfigNumber CeilingDb)
{
    public const string InfoKey = "level_scaling";

    /// <summary>The channel label of the fixed-range channel of a <c>both</c> dataset (channel 0 stays NSMT's "Gray").</summary>
    public const string AbsoluteChannelLabel = "Gray_absolute";

    /// <summary>NSMT's per-image min-max mapping (the default; datasets stay byte-identical to NSMT's).</summary>
    public static LevelScaling MinMax { get; } =
        new(LevelMode.MinMax, ConfigNumber.Float(-80.0), ConfigNumber.Float(20.0));

    /// <summary>Whether the record's spec_min/spec_max are the dataset's fixed range rather than the image's own.</summary>
    public bool Absolute => Mode == LevelMode.Absolute;

    /// <summary>The image's channel count, where the level decides it (<c>both</c>: 2); null leaves it to generate.channels.</summary>
    public int? Channels => Mode == LevelMode.Both ? 2 : null;

    internal static LevelScaling Bind(ConfigReader b, EnvelopeOptions envelopes)
    {
        var mode = b.Choice("generate.level", "minmax", "minmax", "absolute", "both") switch
        {
            "absolute" => LevelMode.Absolute,
            "both" => LevelMode.Both,
            _ => LevelMode.MinMax,
        };
        var floor = GeneratorConfig.Number(b, "generate.db_floor", MinMax.FloorDb);
        var ceiling = GeneratorConfig.Number(b, "generate.db_ceiling", MinMax.CeilingDb);
        if (mode == LevelMode.MinMax)
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
                mode == LevelMode.Both ? "'both'" : "'absolute'",
                b.Scalar("generate.level")
            );
        }

        return new LevelScaling(mode, floor, ceiling);
    }

    /// <summary>The info JSON entry (absolute and both only; a min-max dataset's JSON stays exactly NSMT's).</summary>
    internal PyDict ToInfo() =>
        new(
            ("mode", Mode == LevelMode.Both ? "both" : "absolute"),
            ("db_floor", FloorDb.ToPy()),
            ("db_ceiling", CeilingDb.ToPy()),
            (
                "description",
                Mode == LevelMode.Both
                    ? "channel 0: NSMT's per-image min-max image, decoded with each record's spec_min/spec_max; channel 1: "
                        + "pixel = clip(round_half_even((dB - db_floor)/(db_ceiling - db_floor)*255), 0, 255) for the whole dataset"
                    : "pixel = clip(round_half_even((dB - db_floor)/(db_ceiling - db_floor)*255), 0, 255) for the whole dataset; "
                        + "spec_min/spec_max of every record hold db_floor/db_ceiling"
            )
        );
}
