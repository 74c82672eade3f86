using System.Globalization;

namespace Nsmt.Torch;

/// <summary>A number passed to an operator (1.5, 3, true), keeping whether it is integral.</summary>
public readonly struct Scalar
{
    private readonly double floating;
    private readonly long integral;

    private Scalar(double floating, long integral, bool isIntegral, bool isBoolean)
    {
        this.floating = floating;
        this.integral = integral;
        IsIntegral = isIntegral;
        IsBoolean = isBoolean;
    }

    public bool IsIntegral { get; }
    public bool IsBoolean { get; }

    public double ToDouble() => IsIntegral || IsBoolean ? integral : floating;
    public long ToInt64() => IsIntegral || IsBoolean ? integral : (long)floating;
    public bool ToBoolean() => ToDouble() != 0;

    public static implicit operator Scalar(double value) => new(value, 0, false, false);
    public static implicit operator Scalar(float value) => new(value, 0, false, false);
    public static implicit operator Scalar(long value) => new(value, value, true, false);
    public static implicit operator Scalar(int value) => new(value, value, true, false);
    public static implicit operator Scalar(bool value) => new(value ? 1 : 0, value ? 1 : 0, false, true);

    public override string ToString() =>
        IsBoolean ? ToBoolean().ToString() : IsIntegral ? integral.ToString(CultureInfo.InvariantCulture) : floating.ToString("R", CultureInfo.InvariantCulture);
}
