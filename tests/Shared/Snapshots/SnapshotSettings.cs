namespace Nsmt.Tests.Snapshots;

/// <summary>What to scrub from a snapshot before comparing: anything that changes between runs or machines.</summary>
internal sealed record SnapshotSettings
{
    /// <summary>Absolute paths to replace by a token (longest first), e.g. (workspace, "{workspace}").</summary>
    public IReadOnlyList<(string Path, string Token)> Paths { get; init; } = [];

    /// <summary>Also replace the repository root by {repo} and the temp directory by {temp}.</summary>
    public bool ScrubWellKnownPaths { get; init; } = true;

    /// <summary>ISO-8601 dates and times become {timestamp}.</summary>
    public bool ScrubTimestamps { get; init; } = true;

    /// <summary>Durations ("1.25 s", "312 ms", "00:01:02.5") become {duration}.</summary>
    public bool ScrubDurations { get; init; } = true;

    /// <summary>GUIDs become {guid}.</summary>
    public bool ScrubGuids { get; init; } = true;

    /// <summary>When set, every decimal number is rounded to this many decimals (floats differ in the last bits across machines).</summary>
    public int? FloatDecimals { get; init; }

    /// <summary>Accept a mismatch by overwriting the verified file; null: when NSMT_ACCEPT_SNAPSHOTS=1.</summary>
    public bool? Accept { get; init; }

    /// <summary>Further replacements, applied last.</summary>
    public IReadOnlyList<Func<string, string>> Scrubbers { get; init; } = [];
}
