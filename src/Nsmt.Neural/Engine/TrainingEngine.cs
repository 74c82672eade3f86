using System.Runtime.InteropServices;
using Nsmt.Core;
using static TorchSharp.torch;

namespace Nsmt.Neural.Engine;

/// <summary>
/// The engine settings every trainer reads from its config: <paramref name="KeyPrefix"/> is the section the keys live
/// in ("trainer." for spectral, "training." for amp), so errors name the key the user wrote.
/// </summary>
/// <param name="Threads">libtorch's intra-op threads; 0 = the cores this process may use (Environment.ProcessorCount).</param>
public sealed record EngineSettings(
    string KeyPrefix,
    string Accelerator,
    bool Deterministic,
    OneDnnMode OneDnn,
    int Threads
)
{
    /// <summary><c>precision</c>: 32-true (the default) or bf16-mixed (<see cref="TrainingPrecision"/>).</summary>
    public PrecisionMode Precision { get; init; }

    /// <summary><c>float32_matmul_precision</c>: high (TF32 on CUDA, the default) or highest.</summary>
    public MatmulPrecision MatmulPrecision { get; init; }
}

/// <summary>
/// What every training entry point does before its first model, in one order: threads, the native heap kept for reuse
/// between steps (<see cref="NativeHeap"/>), the CPU engine self-check, the device (resolved and checked), deterministic
/// algorithms and CUDA's TF32 switch. Returns the device to train on
/// with the precision the run computes in.
/// </summary>
public static partial class TrainingEngine
{
    public static TrainingDevice Prepare(EngineSettings settings, IDeviceProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        set_num_threads(settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount);
        NativeHeap.KeepFreedMemory();
        // float32 kernels against float64 before the model is built; wrong ones switch oneDNN off or stop the run.
        EngineGuard.Ensure(settings.OneDnn);
        var device = TrainingDevice.Resolve(settings.Accelerator, settings.KeyPrefix + "accelerator", probe);
        SetDeterministic(settings, device);
        EngineGuard.EnsureDevice(device);
        if (settings.Precision == PrecisionMode.BFloat16Mixed)
        {
            EngineGuard.EnsureBFloat16(device, settings.OneDnn, settings.KeyPrefix + "precision");
        }

        return device with
        {
            Precision = TrainingPrecision.Apply(settings.Precision, settings.MatmulPrecision, device),
        };
    }

    private static void SetDeterministic(EngineSettings settings, TrainingDevice device)
    {
        var context = LibTorchEngine.Instance.Context;
        if (context is null || !context.HasDeterminismSwitch)
        {
            if (!settings.Deterministic)
            {
                return; // libtorch's default is off: nothing to switch
            }

            throw new NsmtEnvironmentException(
                $"{settings.KeyPrefix}deterministic=true: this libtorch's deterministic-algorithms switch cannot be reached "
                    + $"({LibTorchContext.Unavailable ?? "the symbol is not exported"}); set {settings.KeyPrefix}deterministic=false to train without it"
            );
        }

        if (settings.Deterministic && device.Name.StartsWith("cuda", StringComparison.Ordinal))
        {
            // cuBLAS refuses deterministic mode without a fixed workspace (PyTorch's reproducibility notes; Lightning sets
            // the same); it reads the variable when it starts, which is after this.
            SetNativeEnvironment("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
        }

        context.Deterministic = settings.Deterministic;
    }

    /// <summary>Sets a variable where native code reads it (getenv), unless the user set it.</summary>
    private static void SetNativeEnvironment(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            _ = _putenv_s(name, value);
        }
        else
        {
            _ = setenv(name, value, 0);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("ucrtbase", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int _putenv_s(string name, string value);
}
