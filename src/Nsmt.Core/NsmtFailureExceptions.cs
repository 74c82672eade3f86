namespace Nsmt.Core;

/// <summary>
/// The machine cannot run the stage correctly (not the user's input, not a bug in the stage): for example a compute
/// engine whose float32 kernels disagree with float64 on this CPU. Stages report the message as one line and exit with
/// the environment-failure code; the message says what was tried and what the user can do.
/// </summary>
public class NsmtEnvironmentException : Exception
{
    public NsmtEnvironmentException(string message, Exception? inner = null)
        : base(message, inner) { }
}

/// <summary>
/// The stage ran and its result failed a check that makes it unusable: a training whose loss became NaN, or that
/// never improved on its first validation. Stages report the message as one line and exit with the check-failed
/// code, so a pipeline stops at this stage instead of at the next one that reads a missing output.
/// </summary>
public class NsmtCheckFailedException : Exception
{
    public NsmtCheckFailedException(string message, Exception? inner = null)
        : base(message, inner) { }
}
