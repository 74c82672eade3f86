using System.Globalization;
using Nsmt.Torch;
using Nsmt.Torch.Modules;
using static Nsmt.Torch.torch;

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

/// <summary>The key hyperparameters of the binding's layers, in a short form ("1->8 k3 s1 p1").</summary>
public static class LayerDescriptions
{
    /// <summary>A one-line description of the layer's settings, or empty when there is nothing to add to its type.</summary>
    public static string Describe(nn.Module module) => module switch
    {
        ConvNd conv => DescribeConvolution(conv),
        Linear linear => $"{linear.InputSize}->{linear.OutputSize}" + (linear.bias is null ? " no bias" : ""),
        BatchNorm norm => $"{norm.NumFeatures} features" + (norm.weight is null ? " no affine" : ""),
        LayerNorm norm => $"[{string.Join(", ", norm.NormalizedShape)}]" + (norm.weight is null ? " no affine" : ""),
        GroupNorm norm => $"{norm.NumGroups} groups",
        Dropout dropout => $"p={Number(dropout.P)}",
        RecurrentBase rnn => $"{rnn.InputSize}->{rnn.HiddenSize}" + (rnn.NumLayers > 1 ? $" x{rnn.NumLayers} layers" : "")
            + (rnn.Bidirectional ? " bidirectional" : "") + (rnn.BatchFirst ? " batch_first" : ""),
        Embedding embedding => $"{embedding.weight.shape[0]}x{embedding.weight.shape[1]}",
        _ => "",
    };

    public static LayerCategory Categorize(nn.Module module) => module switch
    {
        ConvNd => LayerCategory.Convolution,
        Linear or Embedding => LayerCategory.Linear,
        BatchNorm or LayerNorm or GroupNorm => LayerCategory.Normalization,
        ReLU or GELU or Tanh or Sigmoid or SiLU or LeakyReLU or Softmax or LogSoftmax => LayerCategory.Activation,
        MaxPool1d or MaxPool2d or AvgPool1d or AvgPool2d or AdaptiveAvgPool1d or AdaptiveAvgPool2d => LayerCategory.Pooling,
        Dropout => LayerCategory.Regularization,
        RecurrentBase => LayerCategory.Recurrent,
        Flatten or Identity => LayerCategory.Reshape,
        // Custom layers are recognised by their type name: normalisations (LayerNorm2d, GRN), drop paths.
        _ when Contains(module.GetName, "Norm") || module.GetName == "GRN" => LayerCategory.Normalization,
        _ when Contains(module.GetName, "Drop") => LayerCategory.Regularization,
        _ when Contains(module.GetName, "Conv") => LayerCategory.Convolution,
        _ => LayerCategory.Other,
    };

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.Ordinal);

    private static string DescribeConvolution(ConvNd conv)
    {
        var parts = new List<string> { $"{conv.InChannels}->{conv.OutChannels}", "k" + Dims(conv.KernelSize) };
        if (conv.Stride.Any(s => s != 1))
            parts.Add("s" + Dims(conv.Stride));
        if (conv.PaddingKeyword is { } keyword)
            parts.Add("pad " + keyword.ToString().ToLowerInvariant());
        else if (conv.PaddingValues.Any(p => p != 0))
            parts.Add("p" + Dims(conv.PaddingValues));
        if (conv is ConvTranspose1d { OutputPadding: not 0 } transposed)
            parts.Add($"out_pad {transposed.OutputPadding}");
        if (conv.Dilation.Any(d => d != 1))
            parts.Add("d" + Dims(conv.Dilation));
        if (conv.Groups != 1)
            parts.Add(conv.Groups == conv.InChannels && conv.Groups == conv.OutChannels ? "depthwise" : $"groups {conv.Groups}");
        if (conv.bias is null)
            parts.Add("no bias");
        return string.Join(" ", parts);
    }

    // A square kernel prints once ("k3"), others per dimension ("k3x5").
    private static string Dims(long[] values) =>
        values.Distinct().Count() == 1 ? values[0].ToString(CultureInfo.InvariantCulture) : string.Join("x", values);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
