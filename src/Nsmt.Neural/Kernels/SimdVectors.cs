using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Neural.Kernels;

/// <summary>
/// The vector operations the SIMD kernels are written in, once: each kernel is one generic method instantiated at
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

/// <summary>What <see cref="SimdMaxPool2d"/> needs beyond the convs' operations: column splits, comparisons and masks.</summary>
internal unsafe interface IPoolVec<TV> : IVec<TV>
    where TV : struct
{
    static abstract TV Zero { get; }

    /// <summary>(even, odd) columns of the 2 x Width consecutive floats a, b.</summary>
    static abstract (TV Even, TV Odd) Deinterleave(TV a, TV b);

    /// <summary>The inverse of <see cref="Deinterleave"/>.</summary>
    static abstract (TV A, TV B) Interleave(TV even, TV odd);

    /// <summary>Where a max pool scanning <paramref name="max"/> then <paramref name="candidate"/> takes the candidate: greater, or NaN.</summary>
    static abstract TV Takes(TV max, TV candidate);

    /// <summary><paramref name="a"/> where <paramref name="mask"/> is set, else <paramref name="b"/>.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
}

/// <summary>512-bit vectors (AVX-512); the pool's columns are split and merged by two-source permutes.</summary>
internal readonly unsafe struct V512 : IPoolVec<Vector512<float>>
{
    private static readonly Vector512<int> Evens = Vector512.Create(
        0,
        2,
        4,
        6,
        8,
        10,
        12,
        14,
        16,
        18,
        20,
        22,
        24,
        26,
        28,
        30
    );
    private static readonly Vector512<int> Odds = Evens + Vector512<int>.One;
    private static readonly Vector512<int> Lows = Vector512.Create(
        0,
        16,
        1,
        17,
        2,
        18,
        3,
        19,
        4,
        20,
        5,
        21,
        6,
        22,
        7,
        23
    );
    private static readonly Vector512<int> Highs = Lows + Vector512.Create(8);

    public static int Width => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> Even, Vector512<float> Odd) Deinterleave(Vector512<float> a, Vector512<float> b) =>
        (Avx512F.PermuteVar16x32x2(a, Evens, b), Avx512F.PermuteVar16x32x2(a, Odds, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> A, Vector512<float> B) Interleave(Vector512<float> even, Vector512<float> odd) =>
        (Avx512F.PermuteVar16x32x2(even, Lows, odd), Avx512F.PermuteVar16x32x2(even, Highs, odd));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Takes(Vector512<float> max, Vector512<float> candidate) =>
        Vector512.GreaterThan(candidate, max) | ~Vector512.Equals(candidate, candidate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) =>
        Vector512.ConditionalSelect(mask, a, b);
}

/// <summary>256-bit vectors (AVX2); the pool's columns are split and merged by in-lane shuffles and a cross-lane permute.</summary>
internal readonly unsafe struct V256 : IPoolVec<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> Even, Vector256<float> Odd) Deinterleave(Vector256<float> a, Vector256<float> b)
    {
        // Shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; swapping the middle 64-bit quarters orders it.
        static Vector256<float> Order(Vector256<float> v) => Avx2.Permute4x64(v.AsDouble(), 0b11_01_10_00).AsSingle();
        return (Order(Avx.Shuffle(a, b, 0b10_00_10_00)), Order(Avx.Shuffle(a, b, 0b11_01_11_01)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> A, Vector256<float> B) Interleave(Vector256<float> even, Vector256<float> odd)
    {
        // Unpacking gives [e0 o0 e1 o1 | e4 o4 e5 o5] and [e2 o2 e3 o3 | e6 o6 e7 o7]; their halves recombine.
        var (low, high) = (Avx.UnpackLow(even, odd), Avx.UnpackHigh(even, odd));
        return (Avx.Permute2x128(low, high, 0x20), Avx.Permute2x128(low, high, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Takes(Vector256<float> max, Vector256<float> candidate) =>
        Vector256.GreaterThan(candidate, max) | ~Vector256.Equals(candidate, candidate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) =>
        Vector256.ConditionalSelect(mask, a, b);
}

/// <summary>
/// One float: the fallback where neither vector width is accelerated, and the pool's rows narrower than a vector. A
/// pool mask is a NaN (set) or zero (clear).
/// </summary>
internal readonly unsafe struct V1 : IPoolVec<float>
{
    public static int Width => 1;

    public static float Zero => 0f;

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

    // One float's "vectors" of two consecutive floats are the pair itself.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Even, float Odd) Deinterleave(float a, float b) => (a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float A, float B) Interleave(float even, float odd) => (even, odd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Takes(float max, float candidate) => candidate > max || float.IsNaN(candidate) ? float.NaN : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(float mask, float a, float b) => float.IsNaN(mask) ? a : b;
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

    /// <summary>
    /// Copies <paramref name="count"/> floats with vector moves. The conv kernels copy tens of thousands of image rows of
    /// 8-32 floats per training step, where a call into memmove per row cost more than the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyFloats(float* from, float* to, int count)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512.Store(Vector512.Load(from + i), to + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.Store(Vector256.Load(from + i), to + i);
            }
        }

        for (; i < count; i++)
        {
            to[i] = from[i];
        }
    }

    public static float[] Floats(Tensor t)
    {
        using var dense = t.contiguous();
        return MemoryMarshal.Cast<byte, float>(dense.bytes).ToArray();
    }
}

/// <summary>
/// How the kernels split work over threads and gather it: into work items whose results do not depend on which thread
/// computed them, partial sums added in item order, so results do not depend on the thread count.
/// </summary>
internal static class KernelThreads
{
    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>) on up to <paramref name="threads"/> threads (in
    /// order on the calling thread where one suffices).
    /// </summary>
    public static void For(int count, int threads, Action<int> body)
    {
        if (threads <= 1 || count <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>
    /// The sum of <paramref name="items"/> consecutive partial vectors of <paramref name="size"/> floats in
    /// <paramref name="partials"/>, added in item order.
    /// </summary>
    public static float[] SumInOrder(float[] partials, int items, int size)
    {
        var sum = new float[size];
        for (var item = 0; item < items; item++)
        {
            for (var i = 0; i < size; i++)
            {
                sum[i] += partials[(item * size) + i];
            }
        }

        return sum;
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
