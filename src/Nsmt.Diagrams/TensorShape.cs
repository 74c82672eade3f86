using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>
/// One tensor seen at a module boundary: its label inside the value (empty for a plain tensor, the key of a
/// dictionary entry such as a head name, the position in a tuple), its shape and element type.
/// </summary>
public sealed record TensorShape(string Label, IReadOnlyList<long> Dims, ScalarType Type)
{
    public long NumberOfElements => Dims.Aggregate(1L, (product, d) => product * d);

    public long Bytes => NumberOfElements * Type.ElementSize();

    /// <summary>Python's list notation, as torchinfo prints shapes: "[1, 8, 32, 32]".</summary>
    public string DimsText => "[" + string.Join(", ", Dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    public override string ToString() => Label.Length == 0 ? DimsText : $"{Label}: {DimsText}";

    /// <summary>
    /// Every tensor inside a forward-pass value, depth first: a Tensor, a dictionary of tensors (multihead
    /// outputs, by key), a tuple (positions "0", "1.0"...) or a list. Null items (an absent recurrent state)
    /// and values of other types contribute nothing.
    /// </summary>
    public static IReadOnlyList<(TensorShape Shape, Tensor Tensor)> Collect(object? value)
    {
        var found = new List<(TensorShape, Tensor)>();
        Walk(value, "", found);
        return found;
    }

    private static void Walk(object? value, string label, List<(TensorShape, Tensor)> found)
    {
        switch (value)
        {
            case null:
                return;
            case Tensor tensor:
                if (!tensor.IsInvalid)
                {
                    found.Add((new TensorShape(label, tensor.shape, tensor.dtype), tensor));
                }

                return;
            case IEnumerable<KeyValuePair<string, Tensor>> dictionary:
                foreach (var (key, tensor) in dictionary)
                {
                    Walk(tensor, Join(label, key), found);
                }

                return;
            case ITuple tuple:
                for (var i = 0; i < tuple.Length; i++)
                {
                    Walk(tuple[i], Join(label, i.ToString(CultureInfo.InvariantCulture)), found);
                }

                return;
            case IEnumerable sequence and not string:
                var index = 0;
                foreach (var item in sequence)
                {
                    Walk(item, Join(label, (index++).ToString(CultureInfo.InvariantCulture)), found);
                }

                return;
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
