using System.Runtime.InteropServices;

namespace Nsmt.Torch.Native;

/// <summary>A scalar crossing the C ABI by value (mirrors nsmt::Scalar).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NativeScalar
{
    public readonly int Kind; // 0 floating, 1 integer, 2 bool
    public readonly double D;
    public readonly long I;

    private NativeScalar(int kind, double d, long i)
    {
        Kind = kind;
        D = d;
        I = i;
    }

    public static NativeScalar Of(double value) => new(0, value, 0);
    public static NativeScalar Of(long value) => new(1, value, value);
    public static NativeScalar Of(bool value) => new(2, value ? 1 : 0, value ? 1 : 0);
    public static NativeScalar Of(Scalar value) => value.IsIntegral ? Of(value.ToInt64()) : value.IsBoolean ? Of(value.ToBoolean()) : Of(value.ToDouble());
}
