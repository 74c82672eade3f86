using Nsmt.Neural.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Losses;

/// <summary>
/// An amp-style domain's training metrics over one epoch: the loss and each <see cref="AmpLoss"/> term averaged over the
/// windows trained, the gradient norm averaged over the steps and its maximum (amp and knob runs log the same columns).
/// </summary>
internal sealed class EpochLossSums
{
    private double _lossSum;
    private double _normSum;
    private double _normMax;
    private int _windows;
    private Dictionary<string, double> _termSums = [];

    public void Reset()
    {
        (_lossSum, _normSum, _normMax, _windows) = (0, 0, 0, 0);
        _termSums = [];
    }

    /// <summary>
    /// One optimiser step of an amp-style domain on <paramref name="windows"/> windows: the gradients of
    /// <paramref name="loss"/> (computed on this batch), clipped to <paramref name="gradClip"/> (0: no clipping) with
    /// their norm recorded, the step, and the loss and terms recorded; returns the loss. The gradients reach the master
    /// weights in <paramref name="precision"/>'s way (float32 for a bf16-mixed run, whose loss is float32).
    /// </summary>
    public double Step<TModule>(
        MixedPrecision<TModule> precision,
        optim.Optimizer optimizer,
        IEnumerable<Parameter> parameters,
        (Tensor Total, IReadOnlyDictionary<string, Tensor> Terms) loss,
        double gradClip,
        int windows
    )
        where TModule : nn.Module
    {
        precision.Backward(optimizer, loss.Total);
        ClipAndRecordNorm(parameters, gradClip);
        optimizer.step();
        return Add(loss.Total, loss.Terms, windows);
    }

    private void ClipAndRecordNorm(IEnumerable<Parameter> parameters, double gradClip)
    {
        // An infinite limit measures without clipping.
        var norm = nn.utils.clip_grad_norm_(parameters, gradClip > 0 ? gradClip : double.PositiveInfinity);
        _normSum += norm;
        _normMax = Math.Max(_normMax, norm);
    }

    private double Add(Tensor total, IReadOnlyDictionary<string, Tensor> terms, int windows)
    {
        var value = Value(total);
        _windows += windows;
        _lossSum += value * windows;
        foreach (var (key, term) in terms)
        {
            _termSums[key] = _termSums.GetValueOrDefault(key) + Weighted(term, windows);
        }

        return value;
    }

    /// <summary>Means over the windows trained (all of them unless the epoch ended early).</summary>
    public Dictionary<string, double> Metrics(int stepsDone)
    {
        var metrics = new Dictionary<string, double> { ["train/loss"] = _lossSum / Math.Max(1, _windows) };
        foreach (var (key, sum) in _termSums)
        {
            metrics[$"train/{key}"] = sum / Math.Max(1, _windows);
        }

        metrics["train/grad_norm"] = _normSum / Math.Max(1, stepsDone);
        metrics["train/grad_norm_max"] = _normMax;
        return metrics;
    }

    // A float32 model's values are read as float32 (and weighted in float32), as the amp trainer always logged them.
    private static double Value(Tensor t) => t.dtype == ScalarType.Float64 ? t.item<double>() : t.item<float>();

    private static double Weighted(Tensor t, int windows) =>
        t.dtype == ScalarType.Float64 ? t.item<double>() * windows : t.item<float>() * windows;
}
