using Nsmt.Neural;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

public class ModelTraceTests
{
    [Fact]
    public void Tracing_restores_the_mode_and_leaves_no_hooks_behind()
    {
        using var model = TestModels.Build("SimpleCnn");
        using var x = rand(1, 1, 32, 32);
        model.train();
        ModelTrace.Capture(model, x);
        Assert.True(model.training);
        Assert.All(model.ModulesDepthFirst(), m => Assert.False(m.HasForwardHooks));
        model.eval();
        ModelTrace.Capture(model, x);
        Assert.False(model.training);
    }

    [Fact]
    public void The_pass_runs_in_eval_mode_without_gradients()
    {
        using var model = TestModels.Build("SimpleCnn");
        using var x = rand(1, 1, 32, 32);
        var batchNorm = (BatchNorm2d)model.ModulesDepthFirst().First(m => m is BatchNorm2d);
        model.train();
        ModelTrace.Capture(model, x); // a batch of one would fail in training mode
        Assert.Equal(0, batchNorm.num_batches_tracked!.ToInt64());
    }

    [Fact]
    public void Multihead_outputs_list_every_head()
    {
        using var model = TestModels.Build("ConvNeXtV2");
        using var x = rand(1, 1, 32, 32);
        var trace = ModelTrace.Capture(model, x);
        Assert.Equal(
            ["note_velocity: [1, 3]", "log10_decay_time: [1, 24]"],
            trace.OutputShapes.Select(s => s.ToString())
        );
        var text = ModelSummary.Render(trace);
        Assert.Contains(
            "ConvNeXtV2                               note_velocity: [1, 3]     --\n"
                + "                                         log10_decay_time: [1, 24]\n",
            text,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Lists_alternating_with_each_other_are_listed_again_and_counted_once()
    {
        // ConvNeXt runs downsample_layers[i] and stages[i] in turn: each list reappears (recursive), as in torchinfo.
        using var model = TestModels.Build("ConvNeXtV2");
        using var x = rand(1, 1, 32, 32);
        var trace = ModelTrace.Capture(model, x);
        var lists = trace.Layers.Where(l => l.Depth == 1 && l.TypeName == "ModuleList").ToList();
        Assert.Equal(
            [
                "downsample_layers",
                "stages",
                "downsample_layers",
                "stages",
                "downsample_layers",
                "stages",
                "downsample_layers",
                "stages",
            ],
            lists.Select(l => l.Path)
        );
        Assert.Equal([false, false, true, true, true, true, true, true], lists.Select(l => l.IsRecursive));
        Assert.Equal(model.NumberOfParameters(), TorchinfoStatistics.Of(trace).TotalParams);
    }

    [Fact]
    public void Every_architecture_counts_each_parameter_once()
    {
        foreach (var name in TestModels.Names)
        {
            using var model = TestModels.Build(name);
            using var x = rand(1, 1, 32, 32);
            var trace = ModelTrace.Capture(model, x);
            Assert.True(model.NumberOfParameters() == TorchinfoStatistics.Of(trace).TotalParams, name);
            Assert.True(
                trace.Layers.Count(l => l.Kind == LayerKind.NotReached) == 0,
                $"{name}: some layer ran without hooks"
            );
        }
    }

    private sealed class ForwardOnly : nn.Module<Tensor, Tensor>
    {
        private readonly Linear _hidden = nn.Linear(2, 3);
        private readonly Linear _output = nn.Linear(3, 1);

        public ForwardOnly()
            : base(nameof(ForwardOnly))
        {
            register_module("hidden", _hidden);
            register_module("output", _output);
        }

        // 'hidden' is invoked with forward, so no hook sees it.
        public override Tensor forward(Tensor input) => _output.call(_hidden.forward(input));
    }

    [Fact]
    public void Layers_invoked_without_call_still_get_a_row_marked_not_reached()
    {
        using var model = new ForwardOnly();
        using var x = ones(1, 2);
        var trace = ModelTrace.Capture(model, x);
        Assert.Equal(
            [("", LayerKind.Called), ("output", LayerKind.Called), ("hidden", LayerKind.NotReached)],
            trace.Layers.Select(l => (l.Path, l.Kind))
        );
        Assert.Equal(13, TorchinfoStatistics.Of(trace).TotalParams);
        Assert.Contains("(not run)", ModelGraph.ToDot(trace), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_run_through_forward_is_reported()
    {
        using var model = new ForwardOnly();
        using var x = ones(1, 2);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ModelTrace.Capture(model, x, input => model.forward((Tensor)input))
        );
        Assert.Contains("call()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_pass_names_the_model_and_the_cause()
    {
        using var model = TestModels.Build("SimpleDenseNet");
        using var x = rand(1, 1, 16, 16); // 256 inputs where the first Linear takes 1024
        var error = Assert.Throws<InvalidOperationException>(() => ModelTrace.Capture(model, x));
        Assert.Contains("SimpleDenseNet", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
        Assert.All(model.ModulesDepthFirst(), m => Assert.False(m.HasForwardHooks));
    }
}
