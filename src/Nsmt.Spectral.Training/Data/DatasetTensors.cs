using Nsmt.Neural;
using Nsmt.Spectral.Models;
using TorchSharp;
using Nsmt.Spectral.Data;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Data;

/// <summary>
/// One split held as tensors: images [N, C, H, W] float32 already scaled by <see cref="InputScaling"/>, and labels
/// [N, heads] int64 class indices. Batches are index_select gathers, so a shuffled epoch costs one randperm.
/// </summary>
public sealed class DatasetTensors : IDisposable
{
    private DatasetTensors(Tensor images, Tensor labels, int count)
    {
        Images = images;
        Labels = labels;
        Count = count;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count { get; }

    public static DatasetTensors FromSplit(VimhSplit split)
    {
        var images = InputScaling.ToTensor(split.Images, split.Count, split.Channels, split.Height, split.Width);
        var heads = split.Labels.Length;
        var labels = new long[(long)split.Count * heads];
        for (var h = 0; h < heads; h++)
        {
            var column = split.Labels[h];
            for (var i = 0; i < split.Count; i++)
                labels[(long)i * heads + h] = column[i];
        }
        return new DatasetTensors(images, TensorExtensions.FromSpan<long>(labels, split.Count, heads), split.Count);
    }

    /// <summary>Number of batches for a batch size, optionally capped (0 = no cap).</summary>
    public int BatchCount(int batchSize, int limit = 0)
    {
        var n = (Count + batchSize - 1) / batchSize;
        return limit > 0 ? Math.Min(n, limit) : n;
    }

    /// <summary>The images and labels of samples [start, start+length) of <paramref name="order"/> (or of the split's order when null).</summary>
    public (Tensor Images, Tensor Labels) Batch(Tensor? order, int start, int length)
    {
        if (order is null)
            return (Images.narrow(0, start, length), Labels.narrow(0, start, length));
        using var index = order.narrow(0, start, length);
        return (Images.index_select(0, index), Labels.index_select(0, index));
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// The one place that turns stored spectrogram bytes into network inputs (x / 255 in [0, 1], as the template's
/// transforms do), used by training, evaluation and inference alike.
/// </summary>
public static class InputScaling
{
    public const string Description = "uint8 / 255";

    public static Tensor ToTensor(ReadOnlySpan<byte> images, int count, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var raw = empty([count, channels, height, width], ScalarType.Byte);
        images.CopyTo(raw.bytes);
        return (raw.to(ScalarType.Float32) / 255.0).MoveToOuterDisposeScope();
    }
}

/// <summary>Heads of a dataset: one per varying parameter, with its class count and physical range.</summary>
public static class DatasetHeads
{
    public static IReadOnlyList<HeadSpec> From(IEnumerable<ParameterSpec> parameters) =>
        [.. parameters.Select(p => new HeadSpec(p.Name, p.NumClasses, p.Min.Value, p.Max.Value))];
}
