using Nsmt.Core;

namespace Nsmt.Amp.Format;

/// <summary>
/// A <c>.nam</c> file or model description breaks a rule of the format (nam-format.md).
/// The message always names the offending field and, when known, the file.
/// </summary>
public sealed class NamFormatException : NsmtInputException
{
    public NamFormatException(string? filePath, string field, string problem, Exception? inner = null)
        : base(Compose(filePath, field, problem), (filePath, field), inner)
    {
        FilePath = filePath;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file being read or written; null for an in-memory model.</summary>
    public string? FilePath { get; }

    /// <summary>JSON path of the offending field, e.g. <c>config.layers[1].gating_mode</c>.</summary>
    public new string Field { get; }

    public string Problem { get; }

    internal NamFormatException WithFile(string? filePath) =>
        filePath is null ? this : new NamFormatException(filePath, Field, Problem, InnerException);

    private static string Compose(string? filePath, string field, string problem) =>
        filePath is null ? $"{field}: {problem}" : $"{filePath}: {field}: {problem}";
}
