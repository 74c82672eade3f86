using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nsmt.Amp.Engine;

/// <summary>
/// A zeroed array on the pinned object heap, so hot loops can hold a raw pointer to it without
/// <c>fixed</c> blocks or bounds checks; the GC never moves it while this object is alive.
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private readonly T[] _array;

    public PinnedBuffer(int length)
    {
        _array = GC.AllocateArray<T>(Math.Max(length, 1), pinned: true);
        Length = length;
        Pointer = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
    }

    public PinnedBuffer(ReadOnlySpan<T> values)
        : this(values.Length)
    {
        values.CopyTo(_array);
    }

    public int Length { get; }

    public T* Pointer { get; }

    public Span<T> Span => _array.AsSpan(0, Length);

    public Span<T> Slice(int start, int length) => _array.AsSpan(start, length);

    public void Clear() => Span.Clear();
}
