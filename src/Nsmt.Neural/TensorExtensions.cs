using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Nsmt.Neural;

/// <summary>Small conveniences over TorchSharp that the libraries and tests share.</summary>
public static class TensorExtensions
{
    /// <summary>The tensor's elements in row-major order, copied to a managed array (from any device, any layout).</summary>
    public static T[] ToArray<T>(this Tensor tensor)
        where T : unmanaged
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().contiguous().data<T>().ToArray();
    }

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>, which must hold exactly numel().</summary>
    public static void CopyTo<T>(this Tensor tensor, Span<T> destination)
        where T : unmanaged
    {
        using var scope = NewDisposeScope();
        var source = MemoryMarshal.Cast<byte, T>(tensor.detach().cpu().contiguous().bytes);
        if (source.Length != destination.Length)
        {
            throw new ArgumentException(
                $"the tensor has {source.Length} elements, the destination {destination.Length}",
                nameof(destination)
            );
        }

        source.CopyTo(destination);
    }

    /// <summary>A new CPU tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, params long[] shape)
        where T : unmanaged
    {
        var elements = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (elements != data.Length)
        {
            throw new ArgumentException(
                $"shape [{string.Join(", ", shape)}] needs {elements} elements, the data has {data.Length}",
                nameof(shape)
            );
        }

        var result = empty(shape, DtypeOf<T>());
        MemoryMarshal.AsBytes(data).CopyTo(result.bytes);
        return result;
    }

    private static ScalarType DtypeOf<T>() =>
        typeof(T) switch
        {
            var t when t == typeof(float) => ScalarType.Float32,
            var t when t == typeof(double) => ScalarType.Float64,
            var t when t == typeof(long) => ScalarType.Int64,
            var t when t == typeof(int) => ScalarType.Int32,
            var t when t == typeof(short) => ScalarType.Int16,
            var t when t == typeof(byte) => ScalarType.Byte,
            var t when t == typeof(bool) => ScalarType.Bool,
            _ => throw new NotSupportedException($"no torch dtype for {typeof(T).Name}"),
        };

    /// <summary>The device of the module's parameters (the CPU for a module without any): where its inputs must go.</summary>
    public static Device ParameterDevice(this nn.Module module) => module.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>Number of parameters, as PyTorch's sum(p.numel() for p in model.parameters()).</summary>
    public static long NumberOfParameters(this nn.Module module) => module.parameters().Sum(p => p.numel());
}
