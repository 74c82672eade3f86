using Nsmt.Neural;
using TorchSharp.Utils;

namespace Engine.Tests;

public class ModuleTests
{
    /// <summary>The fixture script's modules, built with the same seed in the same order => the same random draws.</summary>
    private static Dictionary<string, nn.Module> FixtureModules()
    {
        manual_seed(42);
        return new Dictionary<string, nn.Module>
        {
            ["lin"] = nn.Linear(7, 5),
            ["c1"] = nn.Conv1d(3, 4, 5),
            ["c2"] = nn.Conv2d(2, 6, 3, groups: 2),
            ["ct"] = nn.ConvTranspose1d(3, 2, 4),
            ["emb"] = nn.Embedding(10, 4, padding_idx: 2),
            ["lstm"] = nn.LSTM(3, 5, numLayers: 2),
            ["gru"] = nn.GRU(3, 4),
        };
    }

    private static void AssertParametersEqualGolden(string prefix, nn.Module module)
    {
        foreach (var (name, p) in module.named_parameters())
        {
            Golden.AssertEqual(Golden.Get($"init.{prefix}.{name}"), p, $"{prefix}.{name}");
        }
    }

    [Fact]
    public void Default_initialisations_are_bit_identical_to_pytorch_given_the_seed()
    {
        foreach (var (prefix, module) in FixtureModules())
        {
            using (module)
            {
                AssertParametersEqualGolden(prefix, module);
            }
        }
    }

    [Fact]
    public void Trunc_normal_matches_pytorch_and_stays_in_bounds()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var t = empty(64, 32);
        Initializers.TruncNormal(t, std: 0.02);
        Golden.AssertClose("init.trunc_normal", t, 1e-7, 1e-5);
    }

    [Fact]
    public void Kaiming_and_xavier_draws_have_the_theoretical_spread()
    {
        // Independent check of the formulas: uniform(-b, b) has std b/sqrt(3).
        using var scope = NewDisposeScope();
        manual_seed(0);
        var w = empty(512, 256);
        nn.init.kaiming_uniform_(w, a: Math.Sqrt(5));
        var expectedStd = 1.0 / Math.Sqrt(256) / Math.Sqrt(3);
        Assert.InRange(w.std().item<float>(), expectedStd * 0.98, expectedStd * 1.02);
        nn.init.xavier_normal_(w);
        var xavierStd = Math.Sqrt(2.0 / (256 + 512));
        Assert.InRange(w.std().item<float>(), xavierStd * 0.98, xavierStd * 1.02);
        Assert.InRange(w.mean().item<float>(), -xavierStd * 0.02, xavierStd * 0.02);
    }

    [Fact]
    public void Lstm_forward_and_backward_match_pytorch()
    {
        using var scope = NewDisposeScope();
        var modules = FixtureModules();
        using var lstm = (LSTM)modules["lstm"];
        using var gru = (GRU)modules["gru"];
        var input = Golden.Get("lstm.in").clone().requires_grad_();
        var (output, hn, cn) = lstm.forward(input);
        Golden.AssertClose("lstm.out", output, 1e-6);
        Golden.AssertClose("lstm.hn", hn, 1e-6);
        Golden.AssertClose("lstm.cn", cn, 1e-6);
        ((output * Golden.Get("lstm.w")).sum() + hn.sum() + cn.sum()).backward();
        Golden.AssertClose("lstm.grad_in", input.grad!, 1e-5);
        var weightHh1 = lstm.named_parameters().Single(p => p.name == "weight_hh_l1").parameter;
        Golden.AssertClose("lstm.grad_weight_hh_l1", weightHh1.grad!, 1e-5);
        var (gout, ghn) = gru.forward(Golden.Get("lstm.in"), null);
        Golden.AssertClose("gru.out", gout, 1e-6);
        Golden.AssertClose("gru.hn", ghn, 1e-6);
    }

    private sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        // RegisterComponents names the parameters after the fields; PyTorch's names are fc1, norm, fc2.
        [ComponentName(Name = "fc1")]
        private readonly Linear _fc1 = nn.Linear(4, 8);

        [ComponentName(Name = "norm")]
        private readonly BatchNorm1d _norm = nn.BatchNorm1d(8);

        [ComponentName(Name = "fc2")]
        private readonly Linear _fc2 = nn.Linear(8, 2);

        public TwoLayer()
            : base(nameof(TwoLayer)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return _fc2.forward(_norm.forward(_fc1.forward(input)).relu()).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void State_dict_uses_pytorch_key_names_and_load_checks_names_and_shapes()
    {
        using var model = new TwoLayer();
        // PyTorch's names; TorchSharp lists a BatchNorm's buffers in another order, which safetensors (sorted keys)
        // and load_state_dict (by name) do not see.
        Assert.Equal(
            [
                "fc1.bias",
                "fc1.weight",
                "fc2.bias",
                "fc2.weight",
                "norm.bias",
                "norm.num_batches_tracked",
                "norm.running_mean",
                "norm.running_var",
                "norm.weight",
            ],
            model.state_dict().Keys.Order(StringComparer.Ordinal)
        );
        Assert.Equal(4 * 8 + 8 + 8 + 8 + 8 * 2 + 2, model.NumberOfParameters());

        using var other = new TwoLayer();
        Nsmt.Neural.IO.StateDicts.Load(other, model.state_dict());
        Golden.AssertEqual(model.state_dict()["fc2.weight"], other.state_dict()["fc2.weight"]);

        using var wrong = nn.Sequential(("fc1", nn.Linear(4, 3)));
        var error = Assert.Throws<ArgumentException>(() => Nsmt.Neural.IO.StateDicts.Load(wrong, model.state_dict()));
        Assert.Contains("'fc1.weight': shape [8, 4] in the source, [3, 4] in the model", error.Message);
        Assert.Contains("'fc2.bias': not a parameter or buffer", error.Message);
    }

    [Fact]
    public void Train_and_eval_switch_every_submodule_and_dropout_obeys()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5));
        model.eval();
        Assert.All(model.ModulesDepthFirst(), m => Assert.False(m.training));
        var x = ones(100, 3);
        Golden.AssertEqual(model.forward(x), model.forward(x), "eval is deterministic");
        model.train();
        Assert.True(((nn.Module)model[1]).training);
    }

    [Fact]
    public void To_dtype_converts_every_parameter_and_keeps_it_trainable()
    {
        using var layer = nn.Linear(3, 2);
        layer.to(float64);
        Assert.All(layer.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Float64, layer.weight.dtype);
        Assert.True(layer.weight.requires_grad);
    }
}
