using System.Globalization;
using Nsmt.Neural;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>Broad kinds of layers, which graphs colour differently.</summary>
public enum LayerCategory
{
    Other,
    Convolution,
    Linear,
    Normalization,
    Activation,
    Pooling,
    Regularization,
    Recurrent,
    Reshape,
}

/// <summary>The key hyperparameters of TorchSharp's layers, in a short form ("1->8 k3 s1 p1").</summary>
public static class LayerDescriptions
{
    /// <summary>A one-line description of the layer's settings, or empty when there is nothing to add to its type.</summary>
    public static string Describe(nn.Module module) =>
        module switch
        {
            Convolution conv => DescribeConvolution(conv),
            Linear linear => $"{linear.in_features}->{linear.out_features}" + (linear.bias is null ? " no bias" : ""),
            BatchNorm norm => $"{norm.num_features} features" + (norm.weight is null ? " no affine" : ""),
            LayerNorm norm => $"[{string.Join(", ", norm.normalized_shape ?? [])}]"
                + (norm.weight is null ? " no affine" : ""),
            GroupNorm norm => $"{norm.num_groups} groups",
            Dropout dropout => $"p={Number(dropout.p)}",
            LSTM or GRU => RecurrentLayout.Of(module).Describe(),
            Embedding embedding => $"{embedding.weight!.shape[0]}x{embedding.weight.shape[1]}",
            _ => "",
        };

    public static LayerCategory Categorize(nn.Module module) =>
        module switch
        {
            Convolution => LayerCategory.Convolution,
            Linear or Embedding => LayerCategory.Linear,
            BatchNorm or LayerNorm or GroupNorm => LayerCategory.Normalization,
            ReLU or GELU or Tanh or Sigmoid or SiLU or LeakyReLU or Softmax or LogSoftmax => LayerCategory.Activation,
            MaxPool1d or MaxPool2d or AvgPool1d or AvgPool2d or AdaptiveAvgPool1d or AdaptiveAvgPool2d =>
                LayerCategory.Pooling,
            Dropout => LayerCategory.Regularization,
            LSTM or GRU => LayerCategory.Recurrent,
            Flatten or Identity => LayerCategory.Reshape,
            // Custom layers are recognised by their type name: normalisations (LayerNorm2d, GRN), drop paths.
            _ when Contains(module.TypeName(), "Norm") || module.TypeName() == "GRN" => LayerCategory.Normalization,
            _ when Contains(module.TypeName(), "Drop") => LayerCategory.Regularization,
            _ when Contains(module.TypeName(), "Conv") => LayerCategory.Convolution,
            _ => LayerCategory.Other,
        };

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.Ordinal);

    private static string DescribeConvolution(Convolution conv)
    {
        var parts = new List<string> { $"{conv.in_channels}->{conv.out_channels}", "k" + Dims(conv.kernel_size) };
        if (conv.stride.Any(s => s != 1))
        {
            parts.Add("s" + Dims(conv.stride));
        }

        if (conv.padding_type is { } keyword)
        {
            parts.Add("pad " + keyword.ToString().ToLowerInvariant());
        }
        else if (conv.padding?.Any(p => p != 0) == true)
        {
            parts.Add("p" + Dims(conv.padding!));
        }

        if (conv.transposed && conv.output_padding.Any(p => p != 0))
        {
            parts.Add($"out_pad {Dims(conv.output_padding)}");
        }

        if (conv.dilation.Any(d => d != 1))
        {
            parts.Add("d" + Dims(conv.dilation));
        }

        if (conv.groups != 1)
        {
            parts.Add(
                conv.groups == conv.in_channels && conv.groups == conv.out_channels
                    ? "depthwise"
                    : $"groups {conv.groups}"
            );
        }

        if (conv.bias is null)
        {
            parts.Add("no bias");
        }

        return string.Join(" ", parts);
    }

    // A square kernel prints once ("k3"), others per dimension ("k3x5").
    private static string Dims(long[] values) =>
        values.Distinct().Count() == 1 ? values[0].ToString(CultureInfo.InvariantCulture) : string.Join("x", values);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// An LSTM's or GRU's shape, read from its parameters (weight_ih_l{k}[_reverse] is [gates x hidden, input]), since
/// TorchSharp keeps the constructor's settings private; batch_first is not visible in the weights and is read
/// from TorchSharp's field.
/// </summary>
internal sealed record RecurrentLayout(
    long InputSize,
    long HiddenSize,
    int NumLayers,
    bool Bidirectional,
    bool BatchFirst
)
{
    public static RecurrentLayout Of(nn.Module rnn)
    {
        var parameters = rnn.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
        var first = parameters["weight_ih_l0"];
        var hidden = parameters["weight_hh_l0"].shape[1];
        var layers = parameters.Keys.Count(k =>
            k.StartsWith("weight_ih_l", StringComparison.Ordinal) && !k.EndsWith("_reverse", StringComparison.Ordinal)
        );
        var batchFirst =
            rnn.GetType()
                .GetField(
                    "_batch_first",
                    System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic
                )
                ?.GetValue(rnn)
            is true;
        return new RecurrentLayout(
            first.shape[1],
            hidden,
            layers,
            parameters.ContainsKey("weight_ih_l0_reverse"),
            batchFirst
        );
    }

    public string Describe() =>
        $"{InputSize}->{HiddenSize}"
        + (NumLayers > 1 ? $" x{NumLayers} layers" : "")
        + (Bidirectional ? " bidirectional" : "")
        + (BatchFirst ? " batch_first" : "");
}
