using System.Globalization;
using System.Reflection;
using Nsmt.Core;
using Nsmt.Neural.Training;
using static TorchSharp.torch;

namespace Nsmt.Neural.Engine;

/// <summary>What the installed libtorch backend can reach (a seam, so tests can ask for a device that is absent).</summary>
public interface IDeviceProbe
{
    /// <summary>The MSBuild TorchBackend this build was made with (cpu or cuda).</summary>
    string TorchBackend { get; }

    /// <summary>CUDA devices libtorch sees (0 without a CUDA backend, driver or GPU).</summary>
    int CudaDeviceCount { get; }

    /// <summary>Whether Apple's Metal (MPS) backend is usable (macOS on Apple silicon).</summary>
    bool MpsAvailable { get; }
}

/// <summary>
/// The device a run trains on, chosen once from <c>trainer.accelerator</c> / <c>training.accelerator</c>
/// (<c>auto|cpu|cuda|cuda:N|mps</c>), and why. <c>auto</c> takes CUDA, then MPS, then the CPU, as Lightning's
/// accelerator="auto" does. A device that is asked for by name and absent is an error, never a silent CPU run.
/// </summary>
public sealed record TrainingDevice(string Requested, string Name, string Reason)
{
    /// <summary>The values the config keys accept (besides cuda:N).</summary>
    public static readonly string[] Choices = ["auto", "cpu", "cuda", "mps"];

    public bool IsCpu => Name == "cpu";

    /// <summary>The precision the run computes in on this device (set by <see cref="TrainingEngine.Prepare"/>).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>A new TorchSharp device handle for <see cref="Name"/>.</summary>
    public Device Device => new(Name);

    /// <summary>The CPU, as a run that names no device gets where no accelerator exists.</summary>
    public static TrainingDevice Cpu { get; } = new("cpu", "cpu", "asked for");

    /// <summary>Checks a config value without touching libtorch: one of <see cref="Choices"/> or cuda:N.</summary>
    public static string Validate(string value, string field, string? origin = null)
    {
        var text = value.Trim().ToLowerInvariant();
        if (Choices.Contains(text) || CudaIndex(text) is not null)
        {
            return text;
        }

        throw new NsmtInputException(
            origin,
            field,
            $"expected one of {string.Join(", ", Choices)} or cuda:N (N = 0, 1, ...), got '{value}'"
        );
    }

    /// <summary>
    /// The device for <paramref name="requested"/> on this machine. <paramref name="field"/> names the config key in
    /// errors; <paramref name="probe"/> defaults to the installed libtorch.
    /// </summary>
    public static TrainingDevice Resolve(string requested, string field, IDeviceProbe? probe = null)
    {
        var text = Validate(requested, field);
        probe ??= LibTorchDevices.Instance;
        switch (text)
        {
            case "cpu":
                return new(text, "cpu", "asked for");
            case "auto" when probe.CudaDeviceCount > 0:
                return new(
                    text,
                    "cuda:0",
                    $"auto: CUDA is available ({probe.CudaDeviceCount} device(s)); the first is used"
                );
            case "auto" when probe.MpsAvailable:
                return new(text, "mps", "auto: no CUDA device; Apple's MPS is available");
            case "auto":
                return new(
                    text,
                    "cpu",
                    $"auto: no CUDA device and no MPS in this libtorch (TorchBackend={probe.TorchBackend})"
                );
            case "mps":
                return probe.MpsAvailable
                    ? new(text, "mps", "asked for")
                    : throw new NsmtEnvironmentException(
                        $"{field}=mps: this libtorch has no usable MPS backend (torch.mps_is_available() is false); MPS needs macOS on Apple "
                            + $"silicon with the osx-arm64 libtorch (TorchBackend=cpu there). Set {field}=auto or cpu to train on the CPU."
                    );
        }

        var index = CudaIndex(text) ?? 0;
        if (probe.CudaDeviceCount > index)
        {
            return new(text, $"cuda:{index.ToString(CultureInfo.InvariantCulture)}", "asked for");
        }

        if (probe.TorchBackend != "cuda")
        {
            throw new NsmtEnvironmentException(
                $"{field}={text}: this build's libtorch backend is '{probe.TorchBackend}', which has no CUDA. Rebuild with the MSBuild "
                    + $"property TorchBackend=cuda (`dotnet build -c Release -p:TorchBackend=cuda`, Linux or Windows with an NVIDIA GPU), "
                    + $"or set {field}=auto or cpu."
            );
        }

        throw new NsmtEnvironmentException(
            probe.CudaDeviceCount == 0
                ? $"{field}={text}: this build has the CUDA libtorch (TorchBackend=cuda) but torch.cuda.is_available() is false: no NVIDIA GPU or driver is visible to this process (check nvidia-smi and CUDA_VISIBLE_DEVICES)."
                : $"{field}={text}: only {probe.CudaDeviceCount} CUDA device(s) are visible (cuda:0 to cuda:{probe.CudaDeviceCount - 1})."
        );
    }

    /// <summary>The summary.json record: the device that trained, what was asked and why this one.</summary>
    public DeviceJson Record() => new(Name, Requested, Reason);

    private static int? CudaIndex(string text) =>
        text == "cuda" ? 0
        : text.StartsWith("cuda:", StringComparison.Ordinal)
        && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
        : null;
}

/// <summary>The installed libtorch, asked through TorchSharp.</summary>
internal sealed class LibTorchDevices : IDeviceProbe
{
    public static LibTorchDevices Instance { get; } = new();

    public string TorchBackend { get; } =
        typeof(LibTorchDevices)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")
            ?.Value
        ?? "cpu";

    public int CudaDeviceCount => cuda.is_available() ? cuda.device_count() : 0;

    public bool MpsAvailable => mps_is_available();
}
