using Nsmt.Neural;
using Nsmt.Spectral.Models;
using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

/// <summary>TorchSharp's forward hooks as the diagrams use them, and our untyped observers over them (ModuleHooks).</summary>
public class ForwardHookTests
{
    /// <summary>Returns its input object itself, so a call allocates nothing of its own.</summary>
    private sealed class PassThrough() : nn.Module<Tensor, Tensor>(nameof(PassThrough))
    {
        public override Tensor forward(Tensor input) => input;
    }

    [Fact]
    public void Forward_hook_sees_input_and_output_and_can_replace_the_output()
    {
        using var scope = NewDisposeScope();
        using var linear = nn.Linear(3, 2);
        var x = ones(4, 3);
        Tensor? seenInput = null;
        long[]? seenShape = null;
        var observe = linear.register_forward_hook(
            (module, input, output) =>
            {
                Assert.Same(linear, module);
                seenInput = input;
                seenShape = output.shape;
                return null!;
            }
        );
        var replace = linear.register_forward_hook((_, _, output) => output * 0);
        var y = linear.call(x);
        Assert.Same(x, seenInput);
        Assert.Equal(new long[] { 4, 2 }, seenShape);
        Assert.All(y.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Pre_hook_can_replace_the_input_and_hooks_run_in_registration_order()
    {
        using var scope = NewDisposeScope();
        var module = new PassThrough();
        var order = new List<string>();
        var doubled = ones(2);
        var first = module.register_forward_pre_hook(
            (_, input) =>
            {
                order.Add("pre1");
                return null!;
            }
        );
        var second = module.register_forward_pre_hook(
            (_, input) =>
            {
                order.Add("pre2");
                return doubled;
            }
        );
        using var observer = module.ObserveForward(
            (_, input) => order.Add("observe-before " + (ReferenceEquals(input, doubled) ? "replaced" : "original")),
            (_, _, _) => order.Add("observe-after")
        );
        var post = module.register_forward_hook(
            (_, input, _) =>
            {
                order.Add("post " + (ReferenceEquals(input, doubled) ? "replaced" : "original"));
                return null!;
            }
        );
        var output = module.call(zeros(2));
        Assert.Same(doubled, output);
        Assert.Equal(["pre1", "pre2", "observe-before replaced", "observe-after", "post replaced"], order);
    }

    [Fact]
    public void Removed_hooks_no_longer_run_and_removing_twice_is_harmless()
    {
        using var scope = NewDisposeScope();
        var module = new PassThrough();
        var calls = 0;
        var handle = module.ObserveForward(after: (_, _, _) => calls++);
        var x = zeros(1);
        module.call(x);
        handle.remove();
        handle.remove();
        module.call(x);
        Assert.Equal(1, calls);
        Assert.False(module.HasForwardHooks);
    }

    [Fact]
    public void A_hook_may_remove_itself_while_the_pass_runs()
    {
        using var scope = NewDisposeScope();
        var module = new PassThrough();
        var calls = 0;
        HookHandle? handle = null;
        handle = module.ObserveForward(
            before: (_, _) =>
            {
                calls++;
                handle!.remove();
            }
        );
        using var other = module.ObserveForward(before: (_, _) => calls += 10);
        module.call(zeros(1));
        module.call(zeros(1));
        Assert.Equal(21, calls);
    }

    [Fact]
    public void Forward_bypasses_the_hooks_and_call_without_hooks_allocates_nothing()
    {
        using var scope = NewDisposeScope();
        var module = new PassThrough();
        var x = zeros(1);
        var calls = 0;
        using (module.ObserveForward(before: (_, _) => calls++))
        {
            module.forward(x);
        }

        Assert.Equal(0, calls);

        module.call(x); // JIT the path first
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            module.call(x);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Observer_arguments_are_validated()
    {
        var module = new PassThrough();
        Assert.Throws<ArgumentException>(() => module.ObserveForward());
    }

    [Fact]
    public void Containers_and_models_invoke_their_children_through_call()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new SimpleCnn(
            new SimpleCnnOptions(1, 4, 4, 8, 0.2, 32),
            [new HeadSpec("a", 3), new HeadSpec("b", 5)]
        );
        var seen = new List<string>();
        var handles = model
            .NamedModulesDepthFirst()
            .Select(m => m.module.ObserveForward(before: (_, _) => seen.Add(m.name)))
            .ToList();
        model.eval();
        using (no_grad())
        {
            model.call(rand(1, 1, 32, 32), null);
        }

        handles.ForEach(h => h.remove());
        // Every module but the ModuleDict (a container that is never called itself) ran through call, in order.
        var expected = model.NamedModulesDepthFirst().Select(m => m.name).Where(n => n != "heads").ToList();
        Assert.Equal(expected, seen);
    }
}
