namespace Nsmt.Torch;

/// <summary>A libtorch error (shape mismatch, bad argument, ...) carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
