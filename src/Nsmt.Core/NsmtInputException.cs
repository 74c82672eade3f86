namespace Nsmt.Core;

/// <summary>
/// Bad input from a user: a file, config value or argument that cannot be used as given. The one base type every
/// library's input errors derive from, so a stage catches this (and I/O errors) instead of each library's own list.
/// The message names where the problem is (file, or file:line:column), the field, and what was expected.
/// </summary>
public class NsmtInputException : Exception
{
    public NsmtInputException(string message, Exception? inner = null)
        : base(message, inner) { }

    public NsmtInputException(string? source, string field, string problem, Exception? inner = null)
        : base(Compose(source, field, problem), inner)
    {
        Location = source;
        Field = field;
    }

    /// <summary>The file (or file:line:column, or in-memory name) the bad input came from; null when unknown.</summary>
    public string? Location { get; }

    /// <summary>The offending field, key or argument; null when the whole input is at fault.</summary>
    public string? Field { get; }

    /// <summary>For a type with its own message format: the message as given, with where and which field it is about.</summary>
    protected NsmtInputException(string message, (string? Location, string? Field) subject, Exception? inner)
        : base(message, inner)
    {
        Location = subject.Location;
        Field = subject.Field;
    }

    private static string Compose(string? source, string field, string problem) =>
        source is null ? $"{field}: {problem}" : $"{source}: {field}: {problem}";
}
