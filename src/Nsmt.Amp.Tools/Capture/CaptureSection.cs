namespace Nsmt.Amp.Capture;

public enum CaptureSectionKind
{
    /// <summary>The validation passage (at the start; repeated at the end as <see cref="ValidationRepeat"/>).</summary>
    Validation,
    Silence,

    /// <summary>Two single-sample clicks for latency detection.</summary>
    Clicks,

    /// <summary>Logarithmic sine sweeps at two levels.</summary>
    Sweeps,

    /// <summary>White-noise bursts at several levels.</summary>
    Noise,

    /// <summary>Synthetic guitar: plucked notes, chords, palm mutes, dynamics.</summary>
    Guitar,
    ValidationRepeat,
}

/// <summary>One part of the capture signal.</summary>
public sealed record CaptureSection(CaptureSectionKind Kind, SampleRange Range, string Description);
