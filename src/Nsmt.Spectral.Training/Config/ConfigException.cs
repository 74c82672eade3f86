namespace Nsmt.Spectral.Training.Config;

/// <summary>A config file, key or value that cannot be used; the message names where and what was expected.</summary>
public sealed class ConfigException(string message) : Exception(message);
