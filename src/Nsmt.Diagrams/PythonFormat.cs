using System.Globalization;
using System.Numerics;

namespace Nsmt.Diagrams;

/// <summary>Number formats as Python prints them, so tables read exactly like torchinfo's.</summary>
internal static class PythonFormat
{
    /// <summary>f"{n:,}": 1,129,098.</summary>
    public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>
    /// f"{x:0.2f}": the double's exact binary value rounded half to even, as Python does (.NET's "F2" rounds
    /// exact ties away from zero: 0.125 gives 0.13 there, 0.12 in Python).
    /// </summary>
    public static string Fixed2(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a finite number is needed");
        }

        var negative = double.IsNegative(value); // Python keeps the sign of values that round to zero: -0.00
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & ((1L << 52) - 1);
        if (exponent == 0)
        {
            exponent = 1; // subnormal
        }
        else
        {
            mantissa |= 1L << 52;
        }

        var power = exponent - 1075; // value = mantissa * 2^power
        // hundredths = value * 100, exactly, as numerator / denominator
        var numerator = new BigInteger(mantissa) * 100;
        var denominator = BigInteger.One;
        if (power >= 0)
        {
            numerator <<= power;
        }
        else
        {
            denominator <<= -power;
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient += 1;
        }

        var digits = quotient.ToString(CultureInfo.InvariantCulture).PadLeft(3, '0');
        var text = digits[..^2] + "." + digits[^2..];
        return negative ? "-" + text : text;
    }
}
