using Nsmt.Neural;

namespace Engine.Tests;

public class ErrorAndLifetimeTests
{
    [Fact]
    public void A_shape_mismatch_throws_a_managed_exception_with_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        var a = ones(2, 3);
        var b = ones(4, 5);
        // mm, not matmul: TorchSharp 0.107's THSTensor_matmul lets libtorch's c10::Error escape (std::terminate, the
        // process aborts; measured), while mm, linear, bmm and the element-wise ops report it. Our models call
        // matmul only on shapes they build themselves (ViT attention).
        var error = Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => a.mm(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", error.Message);
        // The process and TorchSharp keep working after the error.
        Assert.Equal(6f, a.sum().item<float>());
    }

    [Fact]
    public void Bad_arguments_report_libtorch_errors_rather_than_crashing()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => ones(3).view(2, 2));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() =>
            nn.functional.conv2d(ones(1, 3, 4, 4), ones(2, 4, 3, 3))
        );
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => ones(2, 2).backward());
        Assert.ThrowsAny<Exception>(() => ones(2).ToArray<double>());
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_a_managed_exception()
    {
        var t = ones(2);
        t.Dispose();
        Assert.Throws<InvalidOperationException>(() => t.sum());
    }

    [Fact]
    public void Dispose_scope_releases_temporaries_but_not_moved_tensors()
    {
        Tensor kept,
            temporary;
        using (var scope = NewDisposeScope())
        {
            temporary = ones(3) * 2;
            kept = (temporary + 1).MoveToOuterDisposeScope();
        }
        Assert.Throws<InvalidOperationException>(() => temporary.sum());
        Assert.Equal(9f, kept.sum().item<float>());
        kept.Dispose();
    }

    [Fact]
    public void No_grad_scope_stops_recording_and_restores_the_previous_mode()
    {
        using var scope = NewDisposeScope();
        var x = ones(2).requires_grad_();
        using (no_grad())
        {
            Assert.False((x * 2).requires_grad);
            Assert.False(is_grad_enabled());
        }
        Assert.True(is_grad_enabled());
        Assert.True((x * 2).requires_grad);
    }

    [Fact]
    public void Threads_default_to_all_cores_and_can_be_set()
    {
        using var _ = ones(1);
        var all =
            Environment.GetEnvironmentVariable("NSMT_NUM_THREADS") is { } n && int.TryParse(n, out var v)
                ? v
                : Environment.ProcessorCount;
        Assert.Equal(all, get_num_threads());
        set_num_threads(1);
        Assert.Equal(1, get_num_threads());
        set_num_threads(all);
        Assert.StartsWith("2.10", __version__);
        Assert.False(cuda.is_available() && cuda.device_count() == 0);
    }
}
