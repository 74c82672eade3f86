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

    static abstract TV Add(TV a, TV b);

    static abstract TV Subtract(TV a, TV b);

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
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

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
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

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
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

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
/// What the SIMD convs' autograd functions share: the tensors and flags forward saves, and the backward pass around
/// each conv's gradient kernels. The backward pass runs on libtorch's autograd thread, outside any dispose scope, so it
/// releases what it reads itself; the gradients it returns are copied by libtorch on return and TorchSharp gives no later
/// hook, so each thread releases its previous set at its next backward call and at most one layer's set is held between
/// steps. Per thread: libtorch copies what a backward call returns before that thread runs its next node, while another
/// thread's backward (a second model training concurrently) could still be returning its own.
/// </summary>
internal static class SimdConvAutograd
{
    [ThreadStatic]
    private static List<Tensor>? Held;

    /// <summary>
    /// Keeps the gradients a backward call returns (nulls skipped) until this thread's next backward call, and releases
    /// the ones kept from its previous call, which libtorch has copied by now. Shared with SimdMaxPool2d.
    /// </summary>
    public static void HoldUntilNextBackward(params Tensor?[] returned)
    {
        Held ??= [];
        foreach (var t in Held)
        {
            t.Dispose();
        }

        Held.Clear();
        Held.AddRange(returned.OfType<Tensor>());
    }

    /// <summary>Saves x (made contiguous) and w, whether x wants a gradient and whether there is a bias; returns x dense.</summary>
    public static Tensor Save(torch.autograd.AutogradContext ctx, Tensor x, Tensor w, Tensor? bias, int threads)
    {
        var dense = x.is_contiguous() ? x : x.contiguous();
        ctx.save_for_backward([dense, w]);
        ctx.save_data("threads", threads);
        ctx.save_data("input_grad", x.requires_grad);
        ctx.save_data("bias", bias is not null);
        return dense;
    }

    /// <summary>
    /// The gradients of (x, w, bias) from <paramref name="gradients"/>(gy contiguous, x, w, threads, whether x wants
    /// one), then nulls for the <paramref name="scalars"/> non-tensor arguments.
    /// </summary>
    public static List<Tensor> Backward(
        torch.autograd.AutogradContext ctx,
        Tensor gradOutput,
        int scalars,
        Func<Tensor, Tensor, Tensor, int, bool, (Tensor? Input, float[] Weight, float[] Bias)> gradients
    )
    {
        var saved = ctx.get_saved_variables();
        var (x, w) = (saved[0], saved[1]);
        var gy = gradOutput.is_contiguous() ? gradOutput : gradOutput.contiguous();
        var (gx, weightGrad, biasGrad) = gradients(
            gy,
            x,
            w,
            (int)ctx.get_data("threads"),
            (bool)ctx.get_data("input_grad")
        );
        using var flat = tensor(weightGrad);
        var gw = flat.reshape(w.shape);
        var gb = (bool)ctx.get_data("bias") ? tensor(biasGrad) : null;
        if (!ReferenceEquals(gy, gradOutput))
        {
            gy.Dispose();
        }

        gradOutput.Dispose();
        x.Dispose();
        w.Dispose();
        HoldUntilNextBackward(gx, gw, gb);
        return [gx!, gw, gb!, .. Enumerable.Repeat<Tensor>(null!, scalars)];
    }
}
