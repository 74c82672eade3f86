using Nsmt.Core;

namespace Nsmt.Spectral.Data;

/// <summary>A VIMH dataset that cannot be loaded; the message names the file and, for records, the byte offset.</summary>
public sealed class VimhDataException(string message) : NsmtInputException(message);
