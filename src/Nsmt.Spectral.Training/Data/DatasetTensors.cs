using Nsmt.Neural;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Features;
using Nsmt.Spectral.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Data;

/// <summary>
/// One split held as tensors: images [N, C, H, W] float32 already scaled by <see cref="InputScaling"/>, the auxiliary
/// features [N, F] float32 when data.auxiliary_features names any (else null), and labels [N, heads] int64 class
/// indices. Batches are index_select gathers, so a shuffled epoch costs one randperm.
/// </summary>
public sealed class DatasetTensors : IDisposable
{
    private DatasetTensors(Tensor images, Tensor? auxiliary, Tensor labels, int count)
    {
        Images = images;
        Auxiliary = auxiliary;
        Labels = labels;
        Count = count;
    }

    public Tensor Images { get; }
    public Tensor? Auxiliary { get; }
    public Tensor Labels { get; }
    public int Count { get; }

    /// <param name="auxiliaryFeatures">Names from the feature registry (<see cref="AuxiliaryFeatures"/>), measured per record; needs <paramref name="info"/>.</param>
    public static DatasetTensors FromSplit(
        VimhSplit split,
        VimhInfo? info = null,
        IReadOnlyList<string>? auxiliaryFeatures = null
    )
    {
        var images = InputScaling.ToTensor(split.Images, split.Count, split.Channels, split.Height, split.Width);
        Tensor? auxiliary = null;
        if (auxiliaryFeatures is { Count: > 0 })
        {
            ArgumentNullException.ThrowIfNull(info);
            var features = auxiliaryFeatures
                .Select(name => AuxiliaryFeatures.Find(name, "data.auxiliary_features"))
                .ToArray();
            var values = AuxiliaryFeatures.Compute(features, split, SpectrogramAxes.From(info));
            auxiliary = TensorExtensions.FromSpan<float>(values, split.Count, features.Length);
        }
        var heads = split.Labels.Length;
        var labels = new long[(long)split.Count * heads];
        for (var h = 0; h < heads; h++)
        {
            var column = split.Labels[h];
            for (var i = 0; i < split.Count; i++)
            {
                labels[(long)i * heads + h] = column[i];
            }
        }
        return new DatasetTensors(
            images,
            auxiliary,
            TensorExtensions.FromSpan<long>(labels, split.Count, heads),
            split.Count
        );
    }

    /// <summary>
    /// The split on <paramref name="device"/>: uploaded once, so a batch is a gather on the device with no per-step copy
    /// (the loading never waits on a transfer). On the device the split is already on, this same object.
    /// </summary>
    public DatasetTensors On(Device device)
    {
        if (Images.device_type == device.type && (device.type == DeviceType.CPU || Images.device_index == device.index))
        {
            return this;
        }

        var moved = new DatasetTensors(Images.to(device), Auxiliary?.to(device), Labels.to(device), Count);
        Dispose();
        return moved;
    }

    /// <summary>Number of batches for a batch size, optionally capped (0 = no cap).</summary>
    public int BatchCount(int batchSize, int limit = 0)
    {
        var n = (Count + batchSize - 1) / batchSize;
        return limit > 0 ? Math.Min(n, limit) : n;
    }

    /// <summary>
    /// Per-feature mean and standard deviation of the auxiliary features (population; a constant feature gets 1),
    /// for <see cref="MultiheadNetwork.SetAuxiliaryScaling"/>.
    /// </summary>
    public (Tensor Mean, Tensor Std) AuxiliaryStatistics()
    {
        var auxiliary = Auxiliary ?? throw new InvalidOperationException("this split has no auxiliary features");
        using var scope = NewDisposeScope();
        var mean = auxiliary.mean([0]);
        var std = auxiliary.std(0, unbiased: false);
        std = where(std > 1e-12, std, ones_like(std));
        return (mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <summary>The inputs and labels of samples [start, start+length) of <paramref name="order"/> (or of the split's order when null).</summary>
    public (ModelInputs Inputs, Tensor Labels) Batch(Tensor? order, int start, int length)
    {
        if (order is null)
        {
            return (
                new ModelInputs(Images.narrow(0, start, length), Auxiliary?.narrow(0, start, length)),
                Labels.narrow(0, start, length)
            );
        }
        // The order is drawn on the CPU (the same random stream on every device) and follows the data to its device.
        using var index = order.narrow(0, start, length).to(Images.device);
        return (
            new ModelInputs(Images.index_select(0, index), Auxiliary?.index_select(0, index)),
            Labels.index_select(0, index)
        );
    }

    public void Dispose()
    {
        Images.Dispose();
        Auxiliary?.Dispose();
        Labels.Dispose();
    }
}

/// <summary>What a <see cref="MultiheadNetwork"/> reads for one batch: the images and, for auxiliary-input models, the scalars.</summary>
public sealed record ModelInputs(Tensor Images, Tensor? Auxiliary) : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> Through(MultiheadNetwork model) => model.call(Images, Auxiliary);

    public void Dispose()
    {
        Images.Dispose();
        Auxiliary?.Dispose();
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
