namespace Nsmt.Pipeline;

/// <summary>
/// A problem the user can fix (a bad pipeline.yaml, a missing dependency, a failed stage); the message names
/// the file, stage or field and says what was expected.
/// </summary>
public class PipelineException : Exception
{
    public PipelineException(string message)
        : base(message) { }

    public PipelineException(string message, Exception inner)
        : base(message, inner) { }
}

/// <summary>Another run holds the workspace lock.</summary>
public sealed class WorkspaceBusyException(string message) : PipelineException(message);

/// <summary>A stage program failed, was cancelled, or did not write its declared outputs.</summary>
public sealed class StageFailedException(string stage, string message) : PipelineException(message)
{
    public string Stage { get; } = stage;
}
