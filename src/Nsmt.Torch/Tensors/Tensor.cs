using System.Runtime.InteropServices;
using System.Text;
using Nsmt.Torch.Native;

namespace Nsmt.Torch;

/// <summary>
/// A libtorch tensor. Owns one native handle, released by <see cref="Dispose"/> (or by the innermost
/// <see cref="DisposeScope"/> it was created in); the finalizer is only a safety net.
/// </summary>
public partial class Tensor : IDisposable
{
    private IntPtr handle;

    internal Tensor(IntPtr handle, bool inScope = true)
    {
        this.handle = Check.Handle(handle);
        if (inScope)
            DisposeScope.Current?.Add(this);
    }

    ~Tensor() => ReleaseHandle();

    internal DisposeScope? Scope { get; set; }

    public bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The native at::Tensor*, valid until disposal.</summary>
    public IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed");

    public void Dispose()
    {
        Scope?.Remove(this);
        ReleaseHandle();
        GC.SuppressFinalize(this);
    }

    private void ReleaseHandle()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero)
            NativeMethods.nsmt_free(h);
    }

    /// <summary>Moves this tensor to the enclosing dispose scope so it outlives the current one.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        if (Scope is { } scope)
            scope.MoveToOuter(this);
        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope: the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Remove(this);
        return this;
    }

    internal static Tensor Wrap(IntPtr h) => new(h);

    /// <summary>Points this object at another native tensor, releasing the old one (Module.to keeps parameter identity).</summary>
    internal void ReplaceHandle(Tensor replacement)
    {
        var old = Interlocked.Exchange(ref handle, replacement.TakeHandle());
        if (old != IntPtr.Zero)
            NativeMethods.nsmt_free(old);
    }

    /// <summary>Transfers ownership of the native handle to the caller; this object becomes invalid.</summary>
    internal IntPtr TakeHandle()
    {
        Scope?.Remove(this);
        GC.SuppressFinalize(this);
        return Interlocked.Exchange(ref handle, IntPtr.Zero);
    }

    // ---- metadata ----
    public long Dimensions => Check.Count(NativeMethods.nsmt_dim(Handle));
    public long dim() => Dimensions;
    public long numel() => NativeMethods.nsmt_numel(Handle) is var n and >= 0 ? n : throw Check.Failure();
    public long NumberOfElements => numel();

    public unsafe long[] shape
    {
        get
        {
            Span<long> buffer = stackalloc long[16];
            fixed (long* p = buffer)
            {
                var n = Check.Count(NativeMethods.nsmt_sizes(Handle, p, buffer.Length));
                return buffer[..n].ToArray();
            }
        }
    }

    public unsafe long[] stride()
    {
        Span<long> buffer = stackalloc long[16];
        fixed (long* p = buffer)
        {
            var n = Check.Count(NativeMethods.nsmt_strides(Handle, p, buffer.Length));
            return buffer[..n].ToArray();
        }
    }

    public long size(long dim)
    {
        var s = shape;
        var d = dim < 0 ? dim + s.Length : dim;
        return d >= 0 && d < s.Length ? s[d] : throw new ArgumentOutOfRangeException(nameof(dim), $"dim {dim} is out of range for a {s.Length}-d tensor");
    }

    public ScalarType dtype => (ScalarType)Check.Count(NativeMethods.nsmt_dtype(Handle));

    public Device device
    {
        get
        {
            var type = (DeviceType)Check.Count(NativeMethods.nsmt_device_type(Handle));
            return type == DeviceType.CPU ? Device.CPU : new Device(type, NativeMethods.nsmt_device_index(Handle));
        }
    }

    public bool is_contiguous() => Check.Count(NativeMethods.nsmt_is_contiguous(Handle)) == 1;

    // ---- autograd ----
    public bool requires_grad
    {
        get => Check.Count(NativeMethods.nsmt_requires_grad(Handle)) == 1;
        set => Check.Status(NativeMethods.nsmt_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf => Check.Count(NativeMethods.nsmt_is_leaf(Handle)) == 1;

    /// <summary>The accumulated gradient, or null when none was computed. A new handle each call.</summary>
    public Tensor? grad
    {
        get
        {
            Check.Status(NativeMethods.nsmt_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check.Status(NativeMethods.nsmt_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false) =>
        Check.Status(NativeMethods.nsmt_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ? 1 : 0, create_graph ? 1 : 0));

    public Tensor detach() => Wrap(NativeMethods.nsmt_detach(Handle));

    public Tensor detach_()
    {
        Check.Status(NativeMethods.nsmt_detach_(Handle));
        return this;
    }

    // ---- conversion and copies ----
    public Tensor to(ScalarType type) => Wrap(NativeMethods.nsmt_to_dtype(Handle, (int)type));
    public Tensor to(Device target) => Wrap(NativeMethods.nsmt_to_device(Handle, (int)target.type, target.index));
    public Tensor to(string target) => to(new Device(target));
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor clone() => Wrap(NativeMethods.nsmt_clone(Handle));
    public Tensor contiguous() => Wrap(NativeMethods.nsmt_contiguous(Handle));

    /// <summary>A second handle to the same tensor (shares storage and autograd identity).</summary>
    public Tensor alias() => Wrap(NativeMethods.nsmt_alias(Handle));

    public Tensor copy_(Tensor source)
    {
        Check.Status(NativeMethods.nsmt_copy_(Handle, source.Handle));
        return this;
    }

    public Tensor fill_(Scalar value)
    {
        Check.Status(NativeMethods.nsmt_fill_(Handle, NativeScalar.Of(value)));
        return this;
    }

    public Tensor zero_()
    {
        Check.Status(NativeMethods.nsmt_zero_(Handle));
        return this;
    }

    // ---- data out ----
    /// <summary>Copies all elements (row-major) into a new array; T must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[numel()];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies all elements (row-major) into <paramref name="destination"/>, which must have exactly numel() elements.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (dtype != expected)
            throw new ArgumentException($"tensor dtype is {dtype} but the destination holds {typeof(T).Name} ({expected})");
        fixed (T* p = destination)
            Check.Status(NativeMethods.nsmt_copy_to_host(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>Zero-copy view of a contiguous CPU tensor's elements, valid while the tensor lives.</summary>
    public unsafe ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (dtype != expected)
            throw new ArgumentException($"tensor dtype is {dtype} but the span holds {typeof(T).Name} ({expected})");
        var p = Check.Handle(NativeMethods.nsmt_data_ptr(Handle));
        return new ReadOnlySpan<T>((void*)p, checked((int)numel()));
    }

    public T item<T>() where T : unmanaged
    {
        if (numel() != 1)
            throw new InvalidOperationException($"item() needs a one-element tensor, this one has shape [{string.Join(", ", shape)}]");
        object value = default(T) switch
        {
            float => (float)ToDouble(),
            double => ToDouble(),
            long => ToInt64(),
            int => (int)ToInt64(),
            bool => ToInt64() != 0,
            byte => (byte)ToInt64(),
            _ => throw new NotSupportedException($"item<{typeof(T).Name}>() is not supported"),
        };
        return (T)value;
    }

    public double ToDouble() => Check.Value(NativeMethods.nsmt_item_double(Handle));
    public float ToSingle() => (float)ToDouble();

    public long ToInt64()
    {
        var value = NativeMethods.nsmt_item_long(Handle);
        if (value == 0)
        {
            var error = Marshal.PtrToStringUTF8(NativeMethods.nsmt_last_error());
            if (!string.IsNullOrEmpty(error))
                throw Check.Failure();
        }
        return value;
    }

    public override string ToString()
    {
        if (IsInvalid)
            return "Tensor (disposed)";
        var text = new StringBuilder();
        text.Append('[').Append(string.Join("x", shape)).Append("], type = ").Append(dtype).Append(", device = ").Append(device);
        return text.ToString();
    }
}
