using System.Diagnostics;
using System.Globalization;
using Nsmt.Neural.Engine;
using Nsmt.Neural.Kernels;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Data;
using Nsmt.Spectral.Training.Losses;
using Nsmt.Spectral.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Where one spectral training step's time goes (bench/train-parity/step.sh runs it beside step_torch.py, which times
// PyTorch's loop the same way):
//   StepBench --experiment trivial_tiny_large [--epochs 3] [--repeats 21] [overrides...]
// Builds what the Train stage builds (config, engine self-check, dataset tensors, model, losses, Adam) and runs the
// step of SpectralTraining.TrainStep (float32) phase by phase: batch gather, each layer's forward, the summed head
// losses, zero_grad, backward, the optimiser step, loss.item and the per-head accuracy counts. Epoch 1 is a warm-up;
// the later phased epochs are averaged; the last epoch runs the step whole (model.call) to show what the split costs.
// Then every layer alone, forward and forward + backward, on its input shape from the step. Prints tab-separated
// "section name thread_cpu_ms wall_ms" lines (per step, or per layer call).

var experiment = Text("--experiment", "trivial_tiny_large");
var epochs = (int)Number("--epochs", 3);
var repeats = (int)Number("--repeats", 21);
if (epochs < 3)
{
    Console.Error.WriteLine("--epochs: at least 3 (a warm-up, a timed phased epoch, a whole-step epoch)");
    return 2;
}

var overrides = args.Where(a =>
        a.Contains('=', StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal)
    )
    .ToList();
var configRoot = ConfigLocator.Find(Directory.GetCurrentDirectory());
var workspace = Path.GetDirectoryName(Path.GetFullPath(configRoot).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
var config = TrainConfig.Load(configRoot, experiment, overrides);
TrainingEngine.Prepare(config.Trainer.Engine);
manual_seed(config.Seed);
var dataset = VimhDataset.Load(
    DatasetProvider.ConfiguredDirectory(config.Data.Directory, workspace, config.Data.DirectoryOrigin)
);
var heads = DatasetHeads.From(dataset.Heads);
var shape = new InputShape(dataset.Info.Channels, dataset.Info.Height, dataset.Info.Width);
using var model = ModelFactory.Create(config.Model.Network, heads, shape, config.Model.HeadKind);
var objectives = HeadObjectives.Create(config.Model, heads);
using var train = DatasetTensors.FromSplit(dataset.Train, dataset.Info);
using var optimizer = OptimizerFactory.Create(config.Model.Optimizer, model.parameters());
var children = model.named_children().ToDictionary(c => c.name, c => c.module);
var layers = new List<(string Name, nn.Module<Tensor, Tensor> Module)>();
foreach (var part in new[] { "features", "shared" })
{
    foreach (var (name, module) in ((Sequential)children[part]).named_children())
    {
        layers.Add(($"{part}.{name} {module.GetType().Name}", (nn.Module<Tensor, Tensor>)module));
    }
}

// The layers as SimpleCnn.Features calls them: 3x3 convs, batch norms and 2x2 max pools through the SIMD kernels where
// KernelChoice turns them on, so the phased step times what the whole step runs.
var (simdConvs, simdNorms, simdPools) = model is SimpleCnn cnn
    ? (
        KernelChoice.Convolutions(cnn.SimdConvolution),
        KernelChoice.NormsAndPools(cnn.SimdBatchNorm),
        KernelChoice.NormsAndPools(cnn.SimdPooling)
    )
    : (false, false, false);
Tensor Layer(nn.Module<Tensor, Tensor> module, Tensor x) =>
    module switch
    {
        Conv2d conv => SimdConv2d.Call(conv, x, simdConvs),
        BatchNorm2d norm => SimdBatchNorm2d.Call(norm, x, simdNorms),
        MaxPool2d pool => SimdMaxPool2d.Call(pool, x, simdPools),
        _ => module.call(x),
    };

var headModules = children["heads"]
    .named_children()
    .Select(h => (Name: h.name, Module: (nn.Module<Tensor, Tensor>)h.module))
    .ToList();
var batchSize = config.Data.BatchSize;
var steps = train.BatchCount(batchSize);
var inputShapes = new Dictionary<string, long[]>();
var totals = new Dictionary<string, (double Cpu, double Wall)>();
var order = new List<string>();
long phasedSteps = 0;
Console.WriteLine(
    $"# {experiment}: {steps} steps of {batchSize}, threads {get_num_threads()}, {EngineGuard.Ensure().Line}, "
        + $"SIMD convs {simdConvs}, SIMD pools {simdPools}"
);
model.train();
for (var epoch = 0; epoch < epochs; epoch++)
{
    using var permutation = randperm(train.Count);
    var whole = epoch == epochs - 1;
    var epochCpu = ThreadCpuTime.Seconds();
    var epochWall = Stopwatch.StartNew();
    for (var step = 0; step < steps; step++)
    {
        var record = epoch > 0 && !whole;
        var start = step * batchSize;
        var length = Math.Min(batchSize, train.Count - start);
        var scope = NewDisposeScope();
        if (whole)
        {
            WholeStep(permutation, start, length);
        }
        else
        {
            PhasedStep(permutation, start, length, record);
        }

        Run("dispose scope", record, () => scope.Dispose());
        phasedSteps += record ? 1 : 0;
    }

    var cpuMs = (ThreadCpuTime.Seconds() - epochCpu) * 1e3 / steps;
    Line(
        "epoch",
        whole ? $"{epoch + 1} whole step" : $"{epoch + 1} phased",
        cpuMs,
        epochWall.Elapsed.TotalMilliseconds / steps
    );
}

foreach (var name in order)
{
    Line("step", name, totals[name].Cpu / phasedSteps, totals[name].Wall / phasedSteps);
}

Line("step", "sum", totals.Values.Sum(t => t.Cpu) / phasedSteps, totals.Values.Sum(t => t.Wall) / phasedSteps);
IsolatedLayers();
return 0;

void PhasedStep(Tensor permutation, int start, int length, bool record)
{
    var (inputs, labels) = Time("batch (index_select)", record, () => train.Batch(permutation, start, length));
    var x = inputs.Images;
    foreach (var (name, module) in layers)
    {
        inputShapes[name] = x.shape;
        x = Time("fwd " + name, record, () => Layer(module, x));
    }

    var outputs = new Dictionary<string, Tensor>();
    foreach (var (name, head) in headModules)
    {
        inputShapes["head " + name] = x.shape;
        outputs[name] = Time($"fwd head {name}", record, () => head.call(x));
    }

    var loss = Time("loss (heads summed)", record, () => SplitEvaluation.TotalLoss(objectives, outputs, labels));
    Run("zero_grad", record, () => optimizer.zero_grad());
    Run("backward", record, () => loss.backward());
    Run("optimizer step", record, () => optimizer.step());
    Time("loss.item", record, () => loss.item<float>());
    Time("accuracy counts (.item per head)", record, () => Accuracy(outputs, labels));
}

void WholeStep(Tensor permutation, int start, int length)
{
    var (inputs, labels) = train.Batch(permutation, start, length);
    var outputs = inputs.Through(model);
    var loss = SplitEvaluation.TotalLoss(objectives, outputs, labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    _ = loss.item<float>();
    Accuracy(outputs, labels);
}

long Accuracy(IReadOnlyDictionary<string, Tensor> outputs, Tensor labels)
{
    using var noGrad = no_grad();
    long correct = 0;
    for (var h = 0; h < objectives.Count; h++)
    {
        var predicted = objectives[h].Loss.PredictClasses(outputs[objectives[h].Head.Name]);
        correct += predicted.eq(labels.select(1, h)).sum().item<long>();
    }

    return correct;
}

void IsolatedLayers()
{
    var all = layers.Concat(headModules.Select(h => (Name: "head " + h.Name, h.Module))).ToList();
    for (var i = 0; i < all.Count; i++)
    {
        var (name, module) = all[i];
        using var scope = NewDisposeScope();
        var input = randn(inputShapes[name]).requires_grad_(i > 0);
        var forward = Median(() =>
        {
            using var s = NewDisposeScope();
            Layer(module, input);
        });
        var both = Median(() =>
        {
            using var s = NewDisposeScope();
            var output = Layer(module, input);
            output.backward([ones_like(output)]);
            input.grad?.zero_();
        });
        Line("layer fwd", name, forward.Cpu, forward.Wall);
        Line("layer fwd+bwd", name, both.Cpu, both.Wall);
    }
}

(double Cpu, double Wall) Median(Action body)
{
    for (var i = 0; i < 5; i++)
    {
        body();
    }

    var samples = new (double Cpu, double Wall)[repeats];
    for (var r = 0; r < repeats; r++)
    {
        var cpu = ThreadCpuTime.Seconds();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            body();
        }

        samples[r] = ((ThreadCpuTime.Seconds() - cpu) * 100, wall.Elapsed.TotalMilliseconds / 10);
    }

    return (
        samples.Select(s => s.Cpu).Order().ElementAt(repeats / 2),
        samples.Select(s => s.Wall).Order().ElementAt(repeats / 2)
    );
}

T Time<T>(string name, bool record, Func<T> body)
{
    var cpu = ThreadCpuTime.Seconds();
    var wall = Stopwatch.GetTimestamp();
    var result = body();
    if (record)
    {
        var (c, w) = totals.GetValueOrDefault(name);
        if (!totals.ContainsKey(name))
        {
            order.Add(name);
        }

        totals[name] = (
            c + ((ThreadCpuTime.Seconds() - cpu) * 1e3),
            w + Stopwatch.GetElapsedTime(wall).TotalMilliseconds
        );
    }

    return result;
}

void Run(string name, bool record, Action body) => Time(name, record, () =>
    {
        body();
        return 0;
    });

static void Line(string section, string name, double cpuMs, double wallMs) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{section}\t{name}\t{cpuMs:F3}\t{wallMs:F3}"));

string Text(string option, string fallback) =>
    Array.IndexOf(args, option) is int at and >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;

double Number(string option, double fallback) =>
    double.Parse(Text(option, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
