using Nsmt.Amp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Losses;

/// <summary>
/// auraloss's MultiResolutionSTFTLoss as NAM uses it: per resolution, spectral convergence
/// ||Y - X||_F / ||Y||_F plus the mean absolute difference of log magnitudes, where magnitudes are
/// sqrt(max(|STFT|^2, 1e-8)) of a centred, reflect-padded STFT with a periodic Hann window; the
/// result is the mean over resolutions. Norms pool the whole batch (as auraloss does).
/// </summary>
public sealed class MultiResolutionStftLoss : IDisposable
{
    public const double MagnitudeFloor = 1e-8;

    private readonly Tensor[] _windows;

    public MultiResolutionStftLoss(IReadOnlyList<StftResolution>? resolutions = null)
    {
        Resolutions = resolutions ?? Metrics.NamResolutions; // auraloss's defaults, used by NAM
        if (Resolutions.Count == 0)
        {
            throw new ArgumentException("at least one STFT resolution is needed");
        }

        foreach (var r in Resolutions)
        {
            if (r.FftSize < 2 || r.HopSize < 1 || r.WindowLength < 1 || r.WindowLength > r.FftSize)
            {
                throw new ArgumentException(
                    $"invalid STFT resolution {r}: need fft >= 2, hop >= 1, 1 <= window <= fft"
                );
            }
        }

        _windows = Resolutions.Select(r => hann_window(r.WindowLength).DetachFromDisposeScope()).ToArray();
    }

    public IReadOnlyList<StftResolution> Resolutions { get; }

    public Tensor forward(Tensor prediction, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (x, y) = AmpLosses.AsBatch(prediction, target);
        Tensor? total = null;
        for (var i = 0; i < Resolutions.Count; i++)
        {
            var r = Resolutions[i];
            long minimum = (r.FftSize / 2) + 1;
            if (x.size(1) < minimum)
            {
                throw new ArgumentException(
                    $"signals of {x.size(1)} samples are too short for an STFT of size {r.FftSize} (need > {r.FftSize / 2})"
                );
            }

            var xMag = Magnitude(x, r, _windows[i]);
            var yMag = Magnitude(y, r, _windows[i]);
            var convergence = (yMag - xMag).norm() / yMag.norm();
            var logMagnitude = nn.functional.l1_loss(xMag.log(), yMag.log());
            var term = convergence + logMagnitude;
            total = total is null ? term : total + term;
        }

        return (total! / Resolutions.Count).MoveToOuterDisposeScope();
    }

    private static Tensor Magnitude(Tensor signal, StftResolution r, Tensor window)
    {
        // The window is made in the signal's precision (a float32 window widened to float64 would move the loss by 3e-7)
        // and on its device.
        var w =
            window.dtype == signal.dtype && window.device_type == signal.device_type
                ? window
                : hann_window(r.WindowLength, dtype: signal.dtype, device: signal.device);
        var spectrum = stft(
            signal,
            r.FftSize,
            r.HopSize,
            r.WindowLength,
            w,
            center: true,
            pad_mode: PaddingModes.Reflect,
            return_complex: true
        );
        // re^2 + im^2 on the two strided views: a reduction over a last axis of size 2 costs more.
        var power = spectrum.real.square() + spectrum.imag.square();
        return power.clamp(min: MagnitudeFloor).sqrt();
    }

    public void Dispose()
    {
        foreach (var w in _windows)
        {
            w.Dispose();
        }
    }
}
