using Nsmt.Torch.Native;

namespace Nsmt.Torch;

public static partial class torch
{
    private static unsafe Tensor Make(long[] shape, ScalarType? dtype, Device? device, bool requires_grad,
        delegate*<long*, int, int, int, int, int, IntPtr> factory)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return Tensor.Wrap(factory(p, shape.Length, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static unsafe Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Make(size, dtype, device, requires_grad, &NativeMethods.nsmt_empty);

    public static unsafe Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Make(size, dtype, device, requires_grad, &NativeMethods.nsmt_zeros);

    public static unsafe Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Make(size, dtype, device, requires_grad, &NativeMethods.nsmt_ones);

    public static unsafe Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Make(size, dtype, device, requires_grad, &NativeMethods.nsmt_rand);

    public static unsafe Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Make(size, dtype, device, requires_grad, &NativeMethods.nsmt_randn);

    public static Tensor empty(params long[] size) => empty(size, null);
    public static Tensor zeros(params long[] size) => zeros(size, null);
    public static Tensor ones(params long[] size) => ones(size, null);
    public static Tensor rand(params long[] size) => rand(size, null);
    public static Tensor randn(params long[] size) => randn(size, null);

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);
    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);
    public static Tensor empty_like(Tensor t) => empty(t.shape, t.dtype, t.device);
    public static Tensor full_like(Tensor t, Scalar value) => full(t.shape, value, t.dtype, t.device);
    public static Tensor rand_like(Tensor t) => rand(t.shape, t.dtype, t.device);
    public static Tensor randn_like(Tensor t) => randn(t.shape, t.dtype, t.device);

    public static unsafe Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        var type = dtype ?? (value.IsBoolean ? ScalarType.Bool : value.IsIntegral ? ScalarType.Int64 : ScalarType.Float32);
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.nsmt_full(p, size.Length, NativeScalar.Of(value), (int)type, (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static unsafe Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.nsmt_randint(low, high, p, size.Length, (int)(dtype ?? ScalarType.Int64), (int)d.type, d.index, 0));
    }

    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null) => randint(0, high, size, dtype, device);

    /// <summary>start, start+step, ... up to end (exclusive). Integral arguments give int64, as in PyTorch.</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        var type = dtype ?? (start.IsIntegral && end.IsIntegral && step.IsIntegral ? ScalarType.Int64 : ScalarType.Float32);
        return Tensor.Wrap(NativeMethods.nsmt_arange(NativeScalar.Of(start), NativeScalar.Of(end), NativeScalar.Of(step), (int)type, (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static Tensor arange(Scalar start, Scalar end, ScalarType? dtype = null, Device? device = null) => arange(start, end, 1, dtype, device);
    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.nsmt_linspace(start, end, steps, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, 0));
    }

    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.nsmt_randperm(n, (int)(dtype ?? ScalarType.Int64), (int)d.type, d.index, 0));
    }

    public static Tensor eye(long n, long m = -1, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.nsmt_eye(n, m < 0 ? n : m, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, 0));
    }

    // ---- from managed data (always copied) ----
    /// <summary>A tensor holding a copy of <paramref name="data"/>, shaped <paramref name="shape"/> (default: 1-d).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        var dims = shape ?? [data.Length];
        Tensor result;
        fixed (T* p = data)
        fixed (long* s = dims)
            result = Tensor.Wrap(NativeMethods.nsmt_from_data(p, (long)data.Length * sizeof(T), s, dims.Length, (int)ScalarTypeExtensions.Of<T>()));
        if (device is { type: not DeviceType.CPU })
        {
            var moved = result.to(device);
            result.Dispose();
            result = moved;
        }
        if (requires_grad)
            result.requires_grad = true;
        return result;
    }

    public static Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) where T : unmanaged =>
        tensor((ReadOnlySpan<T>)data, shape, device, requires_grad);

    public static Tensor tensor<T>(T[,] data, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        var flat = new T[data.Length];
        var k = 0;
        foreach (var v in data)
            flat[k++] = v;
        return tensor(flat, [data.GetLength(0), data.GetLength(1)], device, requires_grad);
    }

    public static Tensor tensor(double value, ScalarType dtype = ScalarType.Float32) => full([], value, dtype);
    public static Tensor scalar_tensor(Scalar value, ScalarType? dtype = null) => full([], value, dtype);

    // ---- windows ----
    private static Tensor Window(int kind, long length, bool periodic, double beta, ScalarType? dtype, Device? device)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.nsmt_window(kind, length, periodic ? 1 : 0, beta, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, 0));
    }

    public static Tensor hann_window(long length, bool periodic = true, ScalarType? dtype = null, Device? device = null) => Window(0, length, periodic, 0, dtype, device);
    public static Tensor hamming_window(long length, bool periodic = true, ScalarType? dtype = null, Device? device = null) => Window(1, length, periodic, 0, dtype, device);
    public static Tensor blackman_window(long length, bool periodic = true, ScalarType? dtype = null, Device? device = null) => Window(2, length, periodic, 0, dtype, device);
    public static Tensor bartlett_window(long length, bool periodic = true, ScalarType? dtype = null, Device? device = null) => Window(3, length, periodic, 0, dtype, device);
    public static Tensor kaiser_window(long length, bool periodic = true, double beta = 12.0, ScalarType? dtype = null, Device? device = null) => Window(4, length, periodic, beta, dtype, device);
}
