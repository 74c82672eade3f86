namespace Nsmt.Torch;

/// <summary>
/// Disposes every tensor created on this thread while it is the innermost scope, unless the tensor
/// was moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached from scopes. Scopes nest;
/// parameters are never captured. Use: <c>using var scope = torch.NewDisposeScope();</c>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        Outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;
    internal DisposeScope? Outer { get; }

    /// <summary>Number of live tensors this scope will dispose.</summary>
    public int Count => tensors.Count;

    internal void Add(Tensor tensor)
    {
        tensors.Add(tensor);
        tensor.Scope = this;
    }

    internal void Remove(Tensor tensor)
    {
        tensors.Remove(tensor);
        tensor.Scope = null;
    }

    /// <summary>Moves the tensor to the enclosing scope (or to no scope) and returns it.</summary>
    public T MoveToOuter<T>(T tensor) where T : Tensor
    {
        Remove(tensor);
        Outer?.Add(tensor);
        return tensor;
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        foreach (var tensor in tensors)
        {
            tensor.Scope = null;
            tensor.Dispose();
        }
        tensors.Clear();
        // Scopes must be disposed innermost first; restoring Outer keeps the chain right.
        if (ReferenceEquals(current, this))
            current = Outer;
    }
}
