using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Neural.Engine;

/// <summary>Whether libtorch may use oneDNN (mkldnn) for CPU kernels.</summary>
public enum OneDnnMode
{
    /// <summary>On, unless the self-check finds its float32 kernels wrong on this CPU; then off.</summary>
    Auto,

    /// <summary>On; a stage refuses to run if the self-check finds the kernels wrong.</summary>
    On,

    /// <summary>Off (libtorch's own kernels); a stage refuses to run if the self-check still finds them wrong.</summary>
    Off,
}

/// <summary>What the engine self-check found and did, once per process.</summary>
public sealed record EngineReport(OneDnnMode Mode, bool? OneDnnEnabled, bool Switched, TimeSpan CheckTime, string Line);

/// <summary>The parts of the compute engine the guard needs: the oneDNN switch and the kernel check (a seam for tests).</summary>
public interface IComputeEngine
{
    /// <summary>The CPU and library versions, for the report line.</summary>
    string Description { get; }

    /// <summary>Whether oneDNN is on; null where libtorch's switch cannot be reached.</summary>
    bool? OneDnnEnabled { get; }

    /// <summary>Why the switch cannot be reached (when <see cref="OneDnnEnabled"/> is null).</summary>
    string? SwitchUnavailable { get; }

    void SetOneDnn(bool enabled);

    IReadOnlyList<KernelMismatch> Check(out TimeSpan elapsed);
}

/// <summary>
/// The engine self-check every torch entry point runs before its first model (training, evaluation, export, diagrams):
/// float32 kernels against float64 (<see cref="KernelSelfCheck"/>). libtorch 2.10's oneDNN computes wrong float32
/// convolutions for most channel counts above 16 on some AVX-512 CPUs (seen on AMD Zen 5), which made every amp training
/// diverge there silently. In <see cref="OneDnnMode.Auto"/> (the default) a wrong result switches oneDNN off, checks
/// again and says so in one line; a still-wrong engine is an <see cref="NsmtEnvironmentException"/>, never a training
/// on garbage. <c>NSMT_ONEDNN=auto|on|off</c> (or the trainers' config key) forces the switch.
/// </summary>
public static class EngineGuard
{
    public const string EnvironmentVariable = "NSMT_ONEDNN";

    private static readonly Lock Gate = new();
    private static EngineReport? Last;

    /// <summary>
    /// Checks the engine once per process (again only when an explicit mode differs from the one checked) and returns
    /// what it found. <paramref name="mode"/> <see cref="OneDnnMode.Auto"/> defers to <c>NSMT_ONEDNN</c>. Lines worth a
    /// user's attention (a switch) go to <paramref name="log"/>, standard error by default.
    /// </summary>
    public static EngineReport Ensure(OneDnnMode mode = OneDnnMode.Auto, Action<string>? log = null)
    {
        var resolved = mode == OneDnnMode.Auto ? FromEnvironment() : mode;
        lock (Gate)
        {
            if (Last is not null && (resolved == OneDnnMode.Auto || resolved == Last.Mode))
            {
                return Last;
            }

            Last = Verify(resolved, LibTorchEngine.Instance, log ?? Console.Error.WriteLine);
            return Last;
        }
    }

    /// <summary>
    /// The same float32-against-float64 check for an accelerator (CUDA, MPS), once per device and process: its float32
    /// kernels run there, the reference on the CPU. A wrong accelerator has no switch to turn; it stops the run.
    /// </summary>
    public static void EnsureDevice(TrainingDevice device, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Ensure();
        if (device.IsCpu)
        {
            return;
        }

        lock (Gate)
        {
            if (!CheckedDevices.Add(device.Name))
            {
                return;
            }

            var (mismatches, elapsed) = KernelSelfCheck.Run(device.Device);
            if (mismatches.Count > 0)
            {
                CheckedDevices.Remove(device.Name);
                throw new NsmtEnvironmentException(
                    $"engine: {device.Name}: float32 kernels disagree with float64 on the CPU ({Summary(mismatches)}); training there would produce "
                        + "garbage. Train on the CPU (accelerator: cpu) and report this device and libtorch version."
                );
            }

            (log ?? Console.Error.WriteLine)(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"engine: {device.Name}: float32 agrees with float64 ({elapsed.TotalMilliseconds:0} ms)"
                )
            );
        }
    }

    private static readonly HashSet<string> CheckedDevices = [];

    /// <summary>
    /// For a bf16-mixed run: the device's bfloat16 convolutions against float64 (<see cref="KernelSelfCheck.RunBFloat16"/>),
    /// once per device and process. The float32 check says nothing about them: on AMD Zen 5, libtorch 2.10's oneDNN
    /// computes some float32 convolutions right and bfloat16 ones of the same shapes wrong. On the CPU in
    /// <paramref name="mode"/> auto, wrong results switch oneDNN off and re-check; what is still wrong stops the run,
    /// naming <paramref name="field"/>.
    /// </summary>
    public static void EnsureBFloat16(TrainingDevice device, OneDnnMode mode, string field, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        log ??= Console.Error.WriteLine;
        lock (Gate)
        {
            if (!CheckedBFloat16.Add(device.Name))
            {
                return;
            }

            var (mismatches, elapsed) = KernelSelfCheck.RunBFloat16(device.Device);
            var engine = LibTorchEngine.Instance;
            var resolved = mode == OneDnnMode.Auto ? FromEnvironment() : mode;
            var switched = false;
            if (mismatches.Count > 0 && device.IsCpu && resolved == OneDnnMode.Auto && engine.OneDnnEnabled == true)
            {
                log(
                    $"engine: {engine.Description}: oneDNN computed wrong bfloat16 results ({Summary(mismatches)}); switching oneDNN off"
                );
                engine.SetOneDnn(false);
                switched = true;
                (mismatches, var recheck) = KernelSelfCheck.RunBFloat16(device.Device);
                elapsed += recheck;
            }

            if (mismatches.Count > 0)
            {
                CheckedBFloat16.Remove(device.Name);
                throw new NsmtEnvironmentException(
                    $"{field}=bf16-mixed: {device.Name}'s bfloat16 kernels disagree with float64 ({Summary(mismatches)}); training in "
                        + $"them would produce garbage. Set {field}=32-true."
                );
            }

            log(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"engine: {device.Name}: bfloat16 agrees with float64{(switched ? " after switching oneDNN off" : "")} ({elapsed.TotalMilliseconds:0} ms)"
                )
            );
        }
    }

    private static readonly HashSet<string> CheckedBFloat16 = [];

    /// <summary>
    /// Whether libtorch's oneDNN kernels compute this process's CPU convolutions now, as the self-check left them (or as
    /// forced); libtorch's default (on) where its switch cannot be reached. Models pick their fastest formulation by it.
    /// </summary>
    public static bool OneDnnActive => LibTorchEngine.Instance.OneDnnEnabled != false;

    /// <summary>The mode <c>NSMT_ONEDNN</c> asks for (auto when unset).</summary>
    public static OneDnnMode FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? Parse(value, $"environment variable {EnvironmentVariable}")
            : OneDnnMode.Auto;

    /// <summary>auto, on or off (true/false accepted as on/off, as YAML writes booleans).</summary>
    public static OneDnnMode Parse(string value, string source) =>
        value.Trim().ToLowerInvariant() switch
        {
            "auto" => OneDnnMode.Auto,
            "on" or "true" => OneDnnMode.On,
            "off" or "false" => OneDnnMode.Off,
            _ => throw new NsmtInputException(source, "onednn", $"expected auto, on or off, got '{value}'"),
        };

    /// <summary>The policy, on any engine: set the switch as asked, check, and in auto mode switch off and re-check.</summary>
    public static EngineReport Verify(OneDnnMode mode, IComputeEngine engine, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(log);
        if (mode != OneDnnMode.Auto)
        {
            Force(engine, mode == OneDnnMode.On);
        }

        var mismatches = engine.Check(out var elapsed);
        var switched = false;
        if (mismatches.Count > 0 && mode == OneDnnMode.Auto && engine.OneDnnEnabled == true)
        {
            var found = Summary(mismatches);
            engine.SetOneDnn(false);
            switched = true;
            mismatches = engine.Check(out var recheck);
            elapsed += recheck;
            if (mismatches.Count == 0)
            {
                var report = new EngineReport(
                    mode,
                    false,
                    true,
                    elapsed,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"engine: {engine.Description}: oneDNN computed wrong float32 results ({found}); switched oneDNN off, re-checked: float32 agrees with float64 ({elapsed.TotalMilliseconds:0} ms)"
                    )
                );
                log(report.Line);
                return report;
            }
        }

        if (mismatches.Count > 0)
        {
            var state = engine.OneDnnEnabled switch
            {
                true => "with oneDNN on",
                false => switched ? "after switching oneDNN off" : "with oneDNN off",
                null => $"and oneDNN cannot be switched off ({engine.SwitchUnavailable})",
            };
            throw new NsmtEnvironmentException(
                $"engine: {engine.Description}: float32 kernels disagree with float64 {state} ({Summary(mismatches)}); "
                    + $"training on this engine would produce garbage. {Advice(mode, engine)}"
            );
        }

        var onednn = engine.OneDnnEnabled switch
        {
            true => "oneDNN on",
            false => "oneDNN off",
            null => "oneDNN switch unavailable",
        };
        return new EngineReport(
            mode,
            engine.OneDnnEnabled,
            switched,
            elapsed,
            string.Create(
                CultureInfo.InvariantCulture,
                $"engine: {engine.Description}: float32 agrees with float64 ({onednn}, {ModeText(mode)}; checked in {elapsed.TotalMilliseconds:0} ms)"
            )
        );
    }

    private static void Force(IComputeEngine engine, bool enabled)
    {
        if (engine.OneDnnEnabled is null)
        {
            throw new NsmtEnvironmentException(
                $"{EnvironmentVariable}/onednn asks for oneDNN {(enabled ? "on" : "off")}, but libtorch's switch cannot be reached: {engine.SwitchUnavailable}"
            );
        }

        engine.SetOneDnn(enabled);
    }

    private static string ModeText(OneDnnMode mode) =>
        mode switch
        {
            OneDnnMode.On => "forced on",
            OneDnnMode.Off => "forced off",
            _ => "auto",
        };

    private static string Advice(OneDnnMode mode, IComputeEngine engine) =>
        mode switch
        {
            OneDnnMode.On => $"Unset {EnvironmentVariable} (or set it to auto) to let the check switch oneDNN off.",
            _ when engine.OneDnnEnabled is null => "Report this CPU and libtorch version.",
            _ =>
                $"Report this CPU and libtorch version; {EnvironmentVariable}=on forces the other path, at your own risk of wrong results.",
        };

    private static string Summary(IReadOnlyList<KernelMismatch> mismatches) =>
        mismatches.Count == 1 ? mismatches[0].ToString() : $"{mismatches[0]}, and {mismatches.Count - 1} more";
}
