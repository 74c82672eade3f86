using System.Runtime.InteropServices;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Kernels;

namespace Engine.Tests;

/// <summary>
/// trainer.deterministic=true: libtorch's deterministic algorithms on, its NaN fill of uninitialised memory off (issue 29:
/// about 7% of a CNN step), and nothing a training step computes depends on that fill, i.e. no operation reads memory it
/// never wrote. libtorch's switches are read and set here through its own exports, not through the code under test.
/// </summary>
public class EngineDeterminismTests
{
    [Fact]
    public void Deterministic_training_turns_deterministic_algorithms_on_and_the_nan_fill_off()
    {
        if (LibTorchSwitches.Open() is not { } libtorch)
        {
            return; // not Linux: the Itanium names below are this test's own; the product resolves MSVC ones too
        }

        Prepare(deterministic: true, () =>
        {
            Assert.True(libtorch.DeterministicAlgorithms);
            Assert.False(libtorch.FillUninitializedMemory);
        });
        Prepare(deterministic: false, () => Assert.False(libtorch.DeterministicAlgorithms));
    }

    [Fact]
    public void Training_steps_give_the_same_weights_with_libtorchs_nan_fill_of_new_tensors_on_and_off()
    {
        if (LibTorchSwitches.Open() is not { } libtorch)
        {
            return;
        }

        Prepare(deterministic: true, () =>
        {
            libtorch.FillUninitializedMemory = true;
            var filled = Train();
            libtorch.FillUninitializedMemory = false;
            var unfilled = Train();
            Assert.Equal(filled.Count, unfilled.Count);
            foreach (var (name, values) in filled)
            {
                Assert.All(values, v => Assert.False(float.IsNaN(v), $"{name} became NaN with the fill on"));
                Assert.Equal(values, unfilled[name]);
            }
        });
    }

    // Three Adam steps of a net that runs every SIMD kernel (conv1d, conv2d, batch norm, max pool) and libtorch's ReLU,
    // mean, linear, loss and Adam; its parameters afterwards.
    private static Dictionary<string, float[]> Train()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var conv2 = nn.Conv2d(3, 17, 3, padding: 1);
        var norm = nn.BatchNorm2d(17);
        var conv1 = nn.Conv1d(17, 9, 3, dilation: 2);
        var head = nn.Linear(9, 4);
        var parameters = new nn.Module[] { conv2, norm, conv1, head }
            .SelectMany(m => m.parameters())
            .ToList();
        var optimizer = optim.Adam(parameters, 0.01);
        var x = randn(6, 3, 10, 10);
        var y = randn(6, 4);
        for (var step = 0; step < 3; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var h = SimdMaxPool2d.Apply(
                nn.functional.relu(SimdBatchNorm2d.Call(norm, SimdConv2d.Call(conv2, x, enabled: true), enabled: true))
            );
            var flat = h.flatten(2); // [6, 17, 25]
            var sequence = SimdConv1d.Call(conv1, flat, enabled: true); // [6, 9, 21]
            var loss = nn.functional.mse_loss(head.call(sequence.mean([2])), y);
            loss.backward();
            optimizer.step();
        }

        return new nn.Module[] { conv2, norm, conv1, head }
            .SelectMany((m, i) => m.named_parameters().Select(p => ($"{i}.{p.name}", p.parameter)))
            .ToDictionary(p => p.Item1, p => p.parameter.data<float>().ToArray());
    }

    private static void Prepare(bool deterministic, Action body)
    {
        var threads = get_num_threads();
        try
        {
            TrainingEngine.Prepare(new EngineSettings("trainer.", "cpu", deterministic, OneDnnMode.Auto, threads));
            body();
        }
        finally
        {
            TrainingEngine.Prepare(
                new EngineSettings("trainer.", "cpu", Deterministic: false, OneDnnMode.Auto, threads)
            );
        }
    }

    /// <summary>libtorch's at::globalContext() switches this test reads and sets, by their Itanium names (Linux).</summary>
    private sealed unsafe class LibTorchSwitches
    {
        private readonly IntPtr _context;
        private readonly delegate* unmanaged<IntPtr, byte> _deterministic;
        private readonly delegate* unmanaged<IntPtr, byte> _fill;
        private readonly delegate* unmanaged<IntPtr, byte, void> _setFill;

        private LibTorchSwitches(IntPtr library)
        {
            _context = ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();
            _deterministic = (delegate* unmanaged<IntPtr, byte>)
                NativeLibrary.GetExport(library, "_ZNK2at7Context23deterministicAlgorithmsEv");
            _fill = (delegate* unmanaged<IntPtr, byte>)
                NativeLibrary.GetExport(library, "_ZNK2at7Context36deterministicFillUninitializedMemoryEv");
            _setFill = (delegate* unmanaged<IntPtr, byte, void>)
                NativeLibrary.GetExport(library, "_ZN2at7Context39setDeterministicFillUninitializedMemoryEb");
        }

        public bool DeterministicAlgorithms => _deterministic(_context) != 0;

        public bool FillUninitializedMemory
        {
            get => _fill(_context) != 0;
            set => _setFill(_context, value ? (byte)1 : (byte)0);
        }

        public static LibTorchSwitches? Open()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            InitializeDeviceType(DeviceType.CPU); // TorchSharp loads libtorch on first use
            var path = Path.Combine(
                AppContext.BaseDirectory,
                "runtimes",
                $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}",
                "native",
                "libtorch_cpu.so"
            );
            return new LibTorchSwitches(NativeLibrary.Load(File.Exists(path) ? path : "libtorch_cpu.so"));
        }
    }
}
