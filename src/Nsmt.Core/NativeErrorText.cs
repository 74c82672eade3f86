namespace Nsmt.Core;

/// <summary>
/// libtorch's error text, as TorchSharp passes it on: the C++ message, then "Exception raised from ..." and a C++
/// backtrace (frame #0, #1, ...), which tells a user nothing and can run to thousands of characters.
/// </summary>
public static class NativeErrorText
{
    private const string BacktraceMarker = "Exception raised from ";

    /// <summary>The message without libtorch's C++ backtrace (unchanged when it has none).</summary>
    public static string WithoutBacktrace(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var backtrace = message.IndexOf(BacktraceMarker, StringComparison.Ordinal);
        return backtrace < 0 ? message : message[..backtrace].TrimEnd();
    }
}
