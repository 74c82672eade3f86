using Nsmt.Core;

namespace Nsmt.Config;

/// <summary>
/// A config file, key, value or override that cannot be used. The one config error of every program: the message
/// names where (file:line:column, or the command-line override), the key and what was expected.
/// </summary>
public sealed class ConfigException : NsmtInputException
{
    public ConfigException(string message, Exception? inner = null)
        : base(message, inner) { }

    /// <summary>"{origin}: field '{key}': {problem}".</summary>
    public ConfigException(string? origin, string key, string problem, Exception? inner = null)
        : base(origin, $"field '{key}'", problem, inner)
    {
        Key = key;
    }

    /// <summary>The dotted config key at fault, when one is.</summary>
    public string? Key { get; }
}
