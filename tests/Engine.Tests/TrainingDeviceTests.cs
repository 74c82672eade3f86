using Nsmt.Core;
using Nsmt.Neural.Engine;

namespace Engine.Tests;

public class TrainingDeviceTests
{
    private sealed record FakeProbe(string TorchBackend, int CudaDeviceCount, bool MpsAvailable) : IDeviceProbe;

    private static readonly FakeProbe CpuBuild = new("cpu", 0, false);

    [Theory]
    [InlineData("cpu", 0, false, "cpu")]
    [InlineData("auto", 0, false, "cpu")]
    [InlineData("auto", 2, true, "cuda:0")]
    [InlineData("auto", 0, true, "mps")]
    [InlineData("cuda", 2, false, "cuda:0")]
    [InlineData("cuda:1", 2, false, "cuda:1")]
    [InlineData(" MPS ", 0, true, "mps")]
    public void Auto_takes_cuda_then_mps_then_cpu_and_a_named_device_is_that_device(
        string requested,
        int cuda,
        bool mps,
        string expected
    )
    {
        var device = TrainingDevice.Resolve(
            requested,
            "trainer.accelerator",
            new FakeProbe(cuda > 0 ? "cuda" : "cpu", cuda, mps)
        );
        Assert.Equal(expected, device.Name);
        Assert.False(string.IsNullOrWhiteSpace(device.Reason));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void Cuda_on_a_cpu_build_fails_naming_the_msbuild_property(string requested)
    {
        var error = Assert.Throws<NsmtEnvironmentException>(() =>
            TrainingDevice.Resolve(requested, "training.accelerator", CpuBuild)
        );
        Assert.Contains("training.accelerator=" + requested, error.Message, StringComparison.Ordinal);
        Assert.Contains("TorchBackend=cuda", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_build_without_a_gpu_or_with_too_few_says_which()
    {
        var none = Assert.Throws<NsmtEnvironmentException>(() =>
            TrainingDevice.Resolve("cuda", "trainer.accelerator", new FakeProbe("cuda", 0, false))
        );
        Assert.Contains("torch.cuda.is_available() is false", none.Message, StringComparison.Ordinal);
        var few = Assert.Throws<NsmtEnvironmentException>(() =>
            TrainingDevice.Resolve("cuda:2", "trainer.accelerator", new FakeProbe("cuda", 2, false))
        );
        Assert.Contains("cuda:0 to cuda:1", few.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mps_where_it_is_absent_fails_with_the_reason()
    {
        var error = Assert.Throws<NsmtEnvironmentException>(() =>
            TrainingDevice.Resolve("mps", "trainer.accelerator", CpuBuild)
        );
        Assert.Contains("trainer.accelerator=mps", error.Message, StringComparison.Ordinal);
        Assert.Contains("Apple silicon", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("tpu")]
    public void A_misspelt_accelerator_names_the_field_and_the_choices(string value)
    {
        var error = Assert.Throws<NsmtInputException>(() =>
            TrainingDevice.Validate(value, "trainer.accelerator", "configs/trainer/default.yaml:9:14")
        );
        Assert.Equal(
            $"configs/trainer/default.yaml:9:14: trainer.accelerator: expected one of auto, cpu, cuda, mps or cuda:N (N = 0, 1, ...), got '{value}'",
            error.Message
        );
    }

    [Fact]
    public void This_build_reports_its_backend_and_an_absent_cuda_is_refused_not_run_on_the_cpu()
    {
        // The real libtorch of this build: TorchBackend=cpu by default (build/Torch.targets).
        var device = TrainingDevice.Resolve("auto", "trainer.accelerator");
        if (device.IsCpu)
        {
            Assert.Throws<NsmtEnvironmentException>(() => TrainingDevice.Resolve("cuda", "trainer.accelerator"));
        }
    }
}
