using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// The vector operations the SIMD convs are written in, once: each kernel is one generic method instantiated at
/// Vector512, Vector256 or scalar (<see cref="V512"/>, <see cref="V256"/>, <see cref="V1"/>), whichever this CPU runs.
/// </summary>
internal unsafe interface IVec<TV>
    where TV : struct
{
    static abstract int Width { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV v);

    static abstract TV Broadcast(float v);

    static abstract TV Fma(TV a, TV b, TV c);

    static abstract float Sum(TV v);
}

/// <summary>512-bit vectors (AVX-512).</summary>
internal readonly unsafe struct V512 : IVec<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float v) => Vector512.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v) => Vector512.Sum(v);
}

/// <summary>256-bit vectors (AVX2).</summary>
internal readonly unsafe struct V256 : IVec<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float v) => Vector256.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Vector256.Sum(v);
}

/// <summary>One float: the fallback where neither vector width is accelerated.</summary>
internal readonly unsafe struct V1 : IVec<float>
{
    public static int Width => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float v) => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float v) => v;
}

/// <summary>Raw memory of the tensors and weights the SIMD convs read and write.</summary>
internal static unsafe class KernelMemory
{
    /// <summary>The vector width the kernels run at on this CPU.</summary>
    public static string VectorWidth =>
        Vector512.IsHardwareAccelerated ? "Vector512"
        : Vector256.IsHardwareAccelerated ? "Vector256"
        : "scalar";

    /// <summary>Floats per vector at <see cref="VectorWidth"/>.</summary>
    public static int VectorFloats =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : 1;

    public static float* Pointer(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 || !t.is_contiguous() || t.device_type != DeviceType.CPU)
        {
            throw new ArgumentException("SimdConv needs contiguous float32 CPU tensors");
        }

        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    public static float[] Floats(Tensor t)
    {
        using var dense = t.contiguous();
        return MemoryMarshal.Cast<byte, float>(dense.bytes).ToArray();
    }
}

/// <summary>
/// The gradients a custom autograd function's backward returns: libtorch copies them on return and TorchSharp gives no
/// later hook, so each thread releases its previous set at its next backward call and at most one layer's set is held
/// between steps. Per thread: libtorch copies what a backward call returns before that thread runs its next node, while
/// another thread's backward (a second model training concurrently) could still be returning its own.
/// </summary>
internal static class ReturnedGradients
{
    [ThreadStatic]
    private static List<Tensor>? Held;

    /// <summary>Releases what this thread's previous backward call returned.</summary>
    public static void ReleasePrevious()
    {
        Held ??= [];
        foreach (var t in Held)
        {
            t.Dispose();
        }

        Held.Clear();
    }

    /// <summary>Holds <paramref name="gradients"/> (nulls skipped) until this thread's next backward call.</summary>
    public static void Hold(params Tensor?[] gradients)
    {
        Held ??= [];
        Held.AddRange(gradients.OfType<Tensor>());
    }
}
