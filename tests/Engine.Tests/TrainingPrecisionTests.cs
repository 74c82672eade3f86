using Nsmt.Core;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Training;

namespace Engine.Tests;

public class TrainingPrecisionTests
{
    [Theory]
    [InlineData("cuda:0", "high", true)]
    [InlineData("cuda:1", "high", true)]
    [InlineData("cuda:0", "highest", false)]
    [InlineData("cpu", "high", null)]
    [InlineData("cpu", "highest", null)]
    [InlineData("mps", "high", null)]
    public void Tf32_is_switched_on_cuda_only_and_left_alone_elsewhere(string device, string matmul, bool? expected)
    {
        var precision = TrainingPrecision.ParseMatmul(matmul, "trainer.float32_matmul_precision");
        Assert.Equal(expected, TrainingPrecision.Tf32For(precision, new TrainingDevice("auto", device, "test")));
    }

    [Fact]
    public void On_the_cpu_the_tf32_switches_stay_as_they_were_and_the_record_says_none()
    {
        var (cublas, cudnn) = (backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32);
        var precision = TrainingPrecision.Apply(PrecisionMode.BFloat16Mixed, MatmulPrecision.High, TrainingDevice.Cpu);
        Assert.Equal((cublas, cudnn), (backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32));
        Assert.Null(precision.Tf32);
        Assert.Equal("bf16-mixed", precision.Record().Mode);
        Assert.Equal("bf16-mixed", precision.Text);
    }

    [Theory]
    [InlineData("32", PrecisionMode.Float32)]
    [InlineData("32-true", PrecisionMode.Float32)]
    [InlineData(" BF16-Mixed ", PrecisionMode.BFloat16Mixed)]
    public void Lightning_names_are_accepted(string value, PrecisionMode expected) =>
        Assert.Equal(expected, TrainingPrecision.Parse(value, "trainer.precision"));

    [Theory]
    [InlineData("16-mixed")]
    [InlineData("bf16")]
    [InlineData("64")]
    public void Another_value_is_an_error_naming_the_field_and_the_choices(string value)
    {
        var error = Assert.Throws<NsmtInputException>(() =>
            TrainingPrecision.Parse(value, "training.precision", "a.yaml")
        );
        Assert.Contains("a.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains("training.precision", error.Message, StringComparison.Ordinal);
        Assert.Contains("32-true, 32, bf16-mixed", error.Message, StringComparison.Ordinal);
        Assert.Throws<NsmtInputException>(() =>
            TrainingPrecision.ParseMatmul("medium", "training.float32_matmul_precision")
        );
    }

    [Fact]
    public void Before_a_bf16_run_the_cpu_bfloat16_convolutions_agree_with_float64()
    {
        var lines = new List<string>();
        EngineGuard.EnsureBFloat16(TrainingDevice.Cpu, OneDnnMode.Auto, "trainer.precision", lines.Add);
        // Whatever the guard did (on AMD Zen 5: oneDNN off), the kernels a bf16-mixed run uses now agree.
        var (mismatches, _) = KernelSelfCheck.RunBFloat16();
        Assert.Empty(mismatches);
        Assert.All(lines, l => Assert.StartsWith("engine: ", l, StringComparison.Ordinal));
    }

    private static Sequential Network() =>
        nn.Sequential(
            ("fc1", nn.Linear(6, 16)),
            ("act", nn.Tanh()),
            ("bn", nn.BatchNorm1d(16)), // after the activation: fc1's bias has a gradient of its own
            ("fc2", nn.Linear(16, 3))
        );

    [Fact]
    public void Float32_is_a_pass_through_on_the_model_itself()
    {
        using var model = Network();
        using var precision = new MixedPrecision<Sequential>(PrecisionMode.Float32, model, Network);
        using var y = randn(4, 3);
        Assert.Same(model, precision.Compute);
        Assert.Same(y, precision.Out(y));
    }

    [Fact]
    public void Bf16_mixed_gradients_reach_the_float32_master_weights_close_to_float64_ones()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var master = Network();
        var reference = Network();
        reference.to(ScalarType.Float64);
        using (no_grad())
        {
            foreach (var ((_, r), (_, m)) in reference.state_dict().Zip(master.state_dict()))
            {
                r.copy_(m);
            }
        }

        var x = randn(64, 6) * 2;
        var target = randn(64, 3);
        using var optimizer = optim.SGD(master.parameters(), 0.1);
        using var precision = new MixedPrecision<Sequential>(PrecisionMode.BFloat16Mixed, master, Network);
        master.train();
        precision.BeginStep();
        var output = precision.Out(precision.Compute.call(x));
        var loss = nn.functional.mse_loss(output, target);
        precision.Backward(optimizer, loss);

        reference.train();
        var expectedLoss = nn.functional.mse_loss(
            reference.call(x.to(ScalarType.Float64)),
            target.to(ScalarType.Float64)
        );
        expectedLoss.backward();

        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(expectedLoss.item<double>(), loss.item<float>(), 0.02 * expectedLoss.item<double>());
        // The copy computes in bfloat16, its normalisation in float32; the master stays float32.
        foreach (var (name, p) in precision.Compute.named_parameters())
        {
            Assert.Equal(
                name.StartsWith("bn.", StringComparison.Ordinal) ? ScalarType.Float32 : ScalarType.BFloat16,
                p.dtype
            );
        }

        var worst = 0.0;
        foreach (var ((name, m), (_, r)) in master.named_parameters().Zip(reference.named_parameters()))
        {
            Assert.Equal(ScalarType.Float32, m.dtype);
            Assert.Equal(ScalarType.Float32, m.grad!.dtype);
            var error = (m.grad.to(ScalarType.Float64) - r.grad!).norm().item<double>() / r.grad!.norm().item<double>();
            // bfloat16 keeps 8 significant bits (relative step 2^-8): a few of those through two layers.
            Assert.True(error < 0.05, $"{name}: gradient off float64 by {error:0.####} (relative)");
            worst = Math.Max(worst, error);
        }

        // Float32 lands within 1e-6 of float64 here; bfloat16 cannot, so the step really ran in bfloat16.
        Assert.True(worst > 1e-4, $"gradients agree with float64 to {worst:0.######}: not computed in bfloat16");
        // The BatchNorm statistics the copy's forward updated are the master's, in float32, as float64 computed them.
        var mean = master.state_dict()["bn.running_mean"];
        Assert.Equal(ScalarType.Float32, mean.dtype);
        var expectedMean = reference.state_dict()["bn.running_mean"];
        Assert.True(
            (mean.to(ScalarType.Float64) - expectedMean).abs().max().item<double>()
                < 0.02 * expectedMean.abs().max().item<double>()
        );
        Assert.Equal(1, master.state_dict()["bn.num_batches_tracked"].item<long>());
    }
}
