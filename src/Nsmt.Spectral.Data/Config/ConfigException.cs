namespace Nsmt.Spectral.Data.Config;

/// <summary>A configuration problem; the message names the file, the field and what was expected.</summary>
public sealed class ConfigException(string message) : Exception(message);
