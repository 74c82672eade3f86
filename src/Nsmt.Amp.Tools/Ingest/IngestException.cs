using Nsmt.Core;

namespace Nsmt.Amp.Ingest;

/// <summary>
/// A DI/reamp pair cannot be used as given. The message names the file (or in-memory signal),
/// the field, what was expected and what was found, e.g.
/// <c>reamp.wav: length: expected at least 1440000 frames (the DI's length), got 1439000</c>.
/// </summary>
public sealed class IngestException : NsmtInputException
{
    public IngestException(string filePath, string field, string expected, string actual, Exception? inner = null)
        : base($"{filePath}: {field}: expected {expected}, got {actual}", (filePath, field), inner)
    {
        FilePath = filePath;
        Field = field;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The file path, or the name given to an in-memory signal.</summary>
    public string FilePath { get; }

    /// <summary>The field (never null here, unlike <see cref="NsmtInputException.Field"/>).</summary>
    public new string Field { get; }

    public string Expected { get; }

    public string Actual { get; }
}
