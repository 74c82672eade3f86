namespace Nsmt.Amp.Format;

/// <summary>
/// The <c>metadata</c> object of a <c>.nam</c> file, its properties in the file's key order (AmpFormatJsonContext writes it
/// as it is). Every field is optional (null = absent, left out of the file);
/// Core ignores metadata, plugins display it and use <see cref="Loudness"/> to normalise level.
/// </summary>
public sealed record NamMetadata
{
    /// <summary>Allowed <c>gear_type</c> values (nam-format.md).</summary>
    public static readonly IReadOnlyList<string> GearTypes =
    [
        "amp",
        "pedal",
        "pedal_amp",
        "amp_cab",
        "amp_pedal_cab",
        "preamp",
        "studio",
    ];

    /// <summary>Allowed <c>tone_type</c> values (nam-format.md).</summary>
    public static readonly IReadOnlyList<string> ToneTypes = ["clean", "overdrive", "crunch", "hi_gain", "fuzz"];

    public NamDate? Date { get; init; }

    /// <summary>dB RMS of the model's output on the 1 s reference clip.</summary>
    public double? Loudness { get; init; }

    /// <summary>Compression estimate in [0, 1].</summary>
    public double? Gain { get; init; }

    public string? Name { get; init; }

    public string? ModeledBy { get; init; }

    /// <summary>One of <see cref="GearTypes"/> (checked on export).</summary>
    public string? GearType { get; init; }

    public string? GearMake { get; init; }

    public string? GearModel { get; init; }

    /// <summary>One of <see cref="ToneTypes"/> (checked on export).</summary>
    public string? ToneType { get; init; }

    public double? InputLevelDbu { get; init; }

    public double? OutputLevelDbu { get; init; }

    public NamTrainingMetadata? Training { get; init; }
}

public sealed record NamDate(int Year, int Month, int Day, int Hour, int Minute, int Second);

/// <summary><c>metadata.training</c>.</summary>
public sealed record NamTrainingMetadata
{
    public NamTrainingSettings? Settings { get; init; }

    public NamTrainingData? Data { get; init; }

    public double? ValidationEsr { get; init; }
}

/// <summary><c>metadata.training.settings</c>.</summary>
public sealed record NamTrainingSettings
{
    public bool? IgnoreChecks { get; init; }
}

/// <summary><c>metadata.training.data</c>.</summary>
public sealed record NamTrainingData
{
    public NamLatencyMetadata? Latency { get; init; }

    public NamDataChecks? Checks { get; init; }
}

/// <summary><c>metadata.training.data.latency</c> (samples).</summary>
public sealed record NamLatencyMetadata
{
    /// <summary>Manual latency override; wins over the calibration.</summary>
    public int? Manual { get; init; }

    public NamLatencyCalibration? Calibration { get; init; }
}

/// <summary><c>metadata.training.data.latency.calibration</c>.</summary>
public sealed record NamLatencyCalibration
{
    public int? AlgorithmVersion { get; init; }

    public IReadOnlyList<int>? Delays { get; init; }

    public int? SafetyFactor { get; init; }

    public int? Recommended { get; init; }

    public NamLatencyWarnings? Warnings { get; init; }

    public bool Equals(NamLatencyCalibration? other) =>
        other is not null
        && AlgorithmVersion == other.AlgorithmVersion
        && SafetyFactor == other.SafetyFactor
        && Recommended == other.Recommended
        && Equals(Warnings, other.Warnings)
        && (Delays is null ? other.Delays is null : other.Delays is not null && Delays.SequenceEqual(other.Delays));

    public override int GetHashCode() => HashCode.Combine(AlgorithmVersion, SafetyFactor, Recommended, Delays?.Count);
}

/// <summary><c>metadata.training.data.latency.calibration.warnings</c>.</summary>
public sealed record NamLatencyWarnings
{
    public bool? MatchesLookahead { get; init; }

    public bool? DisagreementTooHigh { get; init; }

    public bool? NotDetected { get; init; }
}

/// <summary><c>metadata.training.data.checks</c>.</summary>
public sealed record NamDataChecks
{
    public int? Version { get; init; }

    public bool? Passed { get; init; }
}
