using Nsmt.Amp.Capture;

namespace Nsmt.Amp.Ingest;

/// <summary>How to read and align a DI/reamp pair (NAM's data rules; see amp-modeling.md).</summary>
public sealed record IngestOptions
{
    /// <summary>Latency in samples (output behind input). When set it wins over every detection.</summary>
    public int? ManualLatency { get; init; }

    /// <summary>
    /// The alignment a model was trained with (from its <c>.nam</c>, see
    /// <see cref="Alignment.Of(Architectures.NamModel)"/>): used instead of detection when <see cref="ManualLatency"/>
    /// is null, so a model is scored on the alignment it learned rather than one re-detected on
    /// new audio (issue 16: one sample off raised a test ESR by half). Detections are still reported.
    /// </summary>
    public Alignment? TrainedAlignment { get; init; }

    /// <summary>Gain applied to the DI before training (recorded in the report); levels are otherwise never changed.</summary>
    public double InputGainDb { get; init; }

    /// <summary>Which channel of a multi-channel file to use (0-based); null averages all channels.</summary>
    public int? Channel { get; init; }

    /// <summary>Resample the reamp (and, with <see cref="TargetSampleRate"/>, both files) instead of failing on a rate mismatch.</summary>
    public bool Resample { get; init; }

    /// <summary>Rate the pair should end up at (e.g. a model's 48 kHz); null keeps the DI's rate.</summary>
    public int? TargetSampleRate { get; init; }

    /// <summary>The capture signal's layout; null recognises it from the DI (<see cref="CaptureLayout.Detect"/>).</summary>
    public CaptureLayout? Layout { get; init; }

    /// <summary>When false, never treat the DI as our capture signal (arbitrary recordings only).</summary>
    public bool DetectLayout { get; init; } = true;

    /// <summary>Held-out range for arbitrary recordings: the last this many seconds (NAM: 9).</summary>
    public double ValidationSeconds { get; init; } = 9;

    /// <summary>What <see cref="CapturePair.ValidationRange"/> covers (training needs a held-out part; scoring need not).</summary>
    public ValidationScope Scope { get; init; } = ValidationScope.HeldOut;

    /// <summary>Subtracted from the click onset so the model is never asked to predict the future (spec: 1).</summary>
    public int SafetyMarginSamples { get; init; } = 1;

    /// <summary>
    /// Subtracted from the (rounded) cross-correlation delay. The delay is the peak of the rig's
    /// impulse response located to a fraction of a sample, so, as for clicks, a sample or two is
    /// enough to keep the target causal. Every sample more is latency the model learns to add to
    /// the player's rig (issue 16: a margin of 48 made models 1 ms late).
    /// </summary>
    public int CorrelationSafetyMarginSamples { get; init; } = 1;

    /// <summary>Click- and correlation-based latencies further apart than this get a warning (the detections should agree to a sample).</summary>
    public double AgreementToleranceSamples { get; init; } = 1;

    /// <summary>Click- and correlation-based latencies further apart than this are reported as disagreeing (the checks fail).</summary>
    public int DisagreementToleranceSamples { get; init; } = 48;

    /// <summary>Searched delays: this far before the expected position (NAM: 1000)...</summary>
    public int LatencyLookahead { get; init; } = 1000;

    /// <summary>...and this far after it (NAM: 10000).</summary>
    public int MaxLatencySamples { get; init; } = 10000;

    /// <summary>Replicate ESR of the two validation passages above which the capture is flagged (NAM: 0.01).</summary>
    public double ReplicateEsrThreshold { get; init; } = 0.01;

    /// <summary>The reamp may be up to this much longer than the DI (trimmed); longer is an error.</summary>
    public double MaxExtraOutputSeconds { get; init; } = 1.0;

    /// <summary>Samples at or above this magnitude count as clipped.</summary>
    public double ClipLevel { get; init; } = 0.999;

    /// <summary>A file whose peak is below this level (dBFS) is silent, which is an error.</summary>
    public double SilenceDbfs { get; init; } = -90;
}

/// <summary>Which part of an aligned pair is the validation (scored) range.</summary>
public enum ValidationScope
{
    /// <summary>
    /// A held-out part, with the rest to train on: the capture signal's repeated passage, or the last
    /// <see cref="IngestOptions.ValidationSeconds"/> of other material (which then must be at least 1 s longer).
    /// </summary>
    HeldOut,

    /// <summary>Every aligned sample, and nothing to train on: scoring a model on a whole test recording.</summary>
    Whole,

    /// <summary>
    /// Scoring's default: the held-out passage of our capture signal (the part a model trained on it never saw),
    /// the whole file for any other recording (a test file trains nothing, so all of it can be scored).
    /// </summary>
    HeldOutIfCaptureSignal,
}
