namespace Nsmt.Cli;

/// <summary>What every stage program returns (README, "Command line"); the pipeline treats anything but 0 as failed.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command line itself is wrong: unknown option, missing or malformed value.</summary>
    public const int Usage = 1;

    /// <summary>An input cannot be used: missing file, bad config key or value, malformed WAV/.nam/dataset.</summary>
    public const int BadInput = 2;

    /// <summary>The stage ran and its check did not pass (`Amp check` found problems, a training diverged).</summary>
    public const int CheckFailed = 3;

    /// <summary>Anything else: a bug or the environment (out of memory, a native library); the message says which.</summary>
    public const int Unexpected = 4;

    /// <summary>Interrupted (Ctrl-C), as shells report SIGINT (128 + 2).</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (a scheduler's or a pipeline's stop), as shells report it (128 + 15).</summary>
    public const int Terminated = 143;
}
