using Nsmt.Neural;
using Nsmt.Neural.Optimization;
using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

public class OptimizerTests
{
    private static (Parameter w, double[] lrs) Run(
        Func<Parameter[], optim.Optimizer> make,
        int steps = 12,
        Func<optim.Optimizer, LRScheduler>? schedule = null
    )
    {
        var w = nn.Parameter(Golden.Get("opt.W0").clone());
        using var optimizer = make([w]);
        var scheduler = schedule?.Invoke(optimizer);
        var lrs = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            F.mse_loss(Golden.Get("opt.X").matmul(w.t()), Golden.Get("opt.Y")).backward();
            optimizer.step();
            if (scheduler is not null)
            {
                scheduler.step();
                lrs.Add(optimizer.ParamGroups.First().LearningRate);
            }
        }
        return (w, lrs.ToArray());
    }

    [Fact]
    public void Adam_with_l2_matches_pytorch() =>
        Golden.AssertClose("opt.adam", Run(p => optim.Adam(p, lr: 0.05, weight_decay: 0.1)).w, 1e-6);

    [Fact]
    public void Adam_amsgrad_matches_pytorch() =>
        Golden.AssertClose("opt.adam_amsgrad", Run(p => optim.Adam(p, lr: 0.05, amsgrad: true)).w, 1e-6);

    [Fact]
    public void AdamW_matches_pytorch() =>
        Golden.AssertClose("opt.adamw", Run(p => optim.AdamW(p, lr: 0.05, weight_decay: 0.01)).w, 1e-6);

    [Fact]
    public void Sgd_matches_pytorch() => Golden.AssertClose("opt.sgd", Run(p => optim.SGD(p, 0.1)).w, 1e-6);

    [Fact]
    public void Sgd_nesterov_matches_pytorch() =>
        Golden.AssertClose(
            "opt.sgd_nesterov",
            Run(p => optim.SGD(p, 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01)).w,
            1e-6
        );

    [Fact]
    public void Sgd_dampening_matches_pytorch() =>
        Golden.AssertClose(
            "opt.sgd_momentum_dampening",
            Run(p => optim.SGD(p, 0.05, momentum: 0.8, dampening: 0.3)).w,
            1e-6
        );

    [Theory]
    [InlineData("adam_steplr")]
    [InlineData("adam_explr")]
    [InlineData("sgd_cosine")]
    [InlineData("adam_onecycle")]
    public void Schedulers_give_pytorchs_learning_rates_and_trajectories(string name)
    {
        var (w, lrs) = name switch
        {
            "adam_steplr" => Run(p => optim.Adam(p, lr: 0.05), schedule: o => new StepLR(o, 3, 0.5)),
            "adam_explr" => Run(p => optim.Adam(p, lr: 0.05), schedule: o => new ExponentialLR(o, 0.9)),
            "sgd_cosine" => Run(p => optim.SGD(p, 0.1), 14, o => new CosineAnnealingLR(o, 5, 0.01)),
            _ => Run(p => optim.Adam(p, lr: 0.05), 20, o => new OneCycleLR(o, 0.1, 20)),
        };
        Golden.AssertClose($"opt.{name}.lrs", tensor(lrs), 1e-15, 1e-12);
        Golden.AssertClose($"opt.{name}", w, 1e-6);
    }

    [Fact]
    public void Reduce_on_plateau_follows_pytorch()
    {
        var w = nn.Parameter(Golden.Get("opt.W0").clone());
        using var optimizer = optim.SGD([w], 1.0);
        var plateau = new ReduceLROnPlateau(optimizer, patience: 2, factor: 0.5, cooldown: 1);
        var lrs = Golden
            .Get("opt.plateau.metrics")
            .ToArray<double>()
            .Select(m =>
            {
                plateau.step(m);
                return optimizer.ParamGroups.First().LearningRate;
            })
            .ToArray();
        Golden.AssertClose("opt.plateau.lrs", tensor(lrs), 0, 0);
    }

    [Fact]
    public void Clip_grad_norm_matches_pytorch()
    {
        using var scope = NewDisposeScope();
        var p1 = nn.Parameter(zeros(3, 4));
        var p2 = nn.Parameter(zeros(5));
        p1.grad = Golden.Get("clip.g1").clone();
        p2.grad = Golden.Get("clip.g2").clone();
        var total = nn.utils.clip_grad_norm_([p1, p2], 1.5);
        Assert.Equal(Golden.Number("clip.total_norm"), total, 5);
        Golden.AssertClose("clip.g1_clipped", p1.grad!, 1e-6);
        Golden.AssertClose("clip.g2_clipped", p2.grad!, 1e-6);
    }

    [Fact]
    public void Optimizer_state_round_trips_so_resumed_training_is_identical()
    {
        // Uninterrupted: 8 steps. Interrupted: 4 steps, save state, new optimizer, load, 4 more.
        var (straight, _) = Run(p => optim.Adam(p, lr: 0.05), steps: 8);
        var w = nn.Parameter(Golden.Get("opt.W0").clone());
        Tensor saved;
        void Step(optim.Optimizer o)
        {
            using var scope = NewDisposeScope();
            o.zero_grad();
            F.mse_loss(Golden.Get("opt.X").matmul(w.t()), Golden.Get("opt.Y")).backward();
            o.step();
        }
        using (var first = optim.Adam([w], lr: 0.05))
        {
            for (var i = 0; i < 4; i++)
            {
                Step(first);
            }

            saved = OptimizerStates.ToTensor(first).DetachFromDisposeScope();
        }
        using var second = optim.Adam([w], lr: 0.05);
        OptimizerStates.Load(second, new Dictionary<string, Tensor> { [OptimizerStates.TensorName] = saved }, "test");
        for (var i = 0; i < 4; i++)
        {
            Step(second);
        }

        Golden.AssertEqual(straight, w, "resumed weights");
    }
}
