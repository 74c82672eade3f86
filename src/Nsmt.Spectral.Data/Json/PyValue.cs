using System.Globalization;
using System.Text;

namespace Nsmt.Spectral.Data.Json;

/// <summary>
/// A JSON value that remembers Python's distinction between int and float, so that
/// <see cref="PythonJson"/> can write exactly what Python's json.dump would.
/// </summary>
public abstract record PyValue
{
    public static implicit operator PyValue(string value) => new PyString(value);

    public static implicit operator PyValue(long value) => new PyInt(value);

    public static implicit operator PyValue(int value) => new PyInt(value);

    public static implicit operator PyValue(double value) => new PyFloat(value);

    public static implicit operator PyValue(bool value) => new PyBool(value);
}

public sealed record PyString(string Value) : PyValue;

public sealed record PyInt(long Value) : PyValue;

public sealed record PyFloat(double Value) : PyValue;

public sealed record PyBool(bool Value) : PyValue;

public sealed record PyNull : PyValue
{
    public static PyNull Instance { get; } = new();
}

public sealed record PyList(IReadOnlyList<PyValue> Items) : PyValue;

/// <summary>An insertion-ordered JSON object (Python dicts keep insertion order).</summary>
public sealed record PyDict(IReadOnlyList<KeyValuePair<string, PyValue>> Items) : PyValue
{
    public PyDict(params (string Key, PyValue Value)[] items)
        : this(items.Select(i => KeyValuePair.Create(i.Key, i.Value)).ToList()) { }
}

/// <summary>A number from a config file, keeping whether it was written as an integer.</summary>
public readonly record struct ConfigNumber(double Value, bool IsInteger)
{
    public static ConfigNumber Float(double value) => new(value, false);

    public PyValue ToPy() => IsInteger ? new PyInt((long)Value) : new PyFloat(Value);

    public override string ToString() =>
        IsInteger ? ((long)Value).ToString(CultureInfo.InvariantCulture) : PythonJson.FormatFloat(Value);
}

/// <summary>Serialises like Python's <c>json.dump(obj, f, indent=4)</c> (ensure_ascii, repr floats, no trailing newline).</summary>
public static class PythonJson
{
    public static string Serialize(PyValue value, int indent = 4)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, 0);
        return sb.ToString();
    }

    /// <summary>Python's repr(float): shortest round-trip digits, scientific below 1e-4 or from 1e16.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "R" gives the shortest digits that round-trip (as Python's repr does); only the layout differs.
        (var digits, var exponent) = Decompose(value.ToString("R", CultureInfo.InvariantCulture));
        var negative = value < 0;
        var sign = negative ? "-" : "";
        if (exponent >= -4 && exponent < 16)
        {
            string text;
            if (exponent >= digits.Length - 1)
            {
                text = digits + new string('0', exponent - (digits.Length - 1)) + ".0";
            }
            else if (exponent >= 0)
            {
                text = digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
            }
            else
            {
                text = "0." + new string('0', -exponent - 1) + digits;
            }

            return sign + text;
        }

        var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        var exp = (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return sign + mantissa + "e" + exp;
    }

    // Splits .NET's round-trip text into significant digits (no leading/trailing zeros) and a base-10 exponent.
    private static (string Digits, int Exponent) Decompose(string text)
    {
        text = text.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.');
        var intPart = dot >= 0 ? text[..dot] : text;
        var fracPart = dot >= 0 ? text[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var pointPosition = intPart.Length; // digits before the decimal point
        var leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }

        var digits = all[leading..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        exponent += pointPosition - leading - 1;
        return (digits, exponent);
    }

    private static void Write(StringBuilder sb, PyValue value, int indent, int depth)
    {
        switch (value)
        {
            case PyString s:
                WriteString(sb, s.Value);
                break;
            case PyInt i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case PyFloat f:
                sb.Append(FormatFloat(f.Value));
                break;
            case PyBool b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case PyNull:
                sb.Append("null");
                break;
            case PyList list:
                if (list.Items.Count == 0)
                {
                    sb.Append("[]");
                    break;
                }

                sb.Append('[');
                for (var k = 0; k < list.Items.Count; k++)
                {
                    sb.Append(k == 0 ? "" : ",").Append('\n').Append(' ', indent * (depth + 1));
                    Write(sb, list.Items[k], indent, depth + 1);
                }

                sb.Append('\n').Append(' ', indent * depth).Append(']');
                break;
            case PyDict dict:
                if (dict.Items.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }

                sb.Append('{');
                for (var k = 0; k < dict.Items.Count; k++)
                {
                    sb.Append(k == 0 ? "" : ",").Append('\n').Append(' ', indent * (depth + 1));
                    WriteString(sb, dict.Items[k].Key);
                    sb.Append(": ");
                    Write(sb, dict.Items[k].Value, indent, depth + 1);
                }

                sb.Append('\n').Append(' ', indent * depth).Append('}');
                break;
            default:
                throw new ArgumentException($"unsupported JSON value {value}");
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
