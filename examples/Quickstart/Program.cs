// The smallest end-to-end use of the engine (TorchSharp): train an MLP on two interleaved spirals, report
// accuracy, save the weights as safetensors. Reads like the PyTorch it mirrors.
using System.Diagnostics;
using Nsmt.Neural;
using Nsmt.Neural.IO;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var output = args.Length > 0 ? args[0] : Path.Combine("artifacts", "quickstart");
const int perClass = 500;
manual_seed(12345);

// Two spirals, 2 x 500 points, labels 0/1.
var points = new float[perClass * 2 * 2];
var labels = new long[perClass * 2];
var noise = new Random(12345);
for (var c = 0; c < 2; c++)
{
    for (var i = 0; i < perClass; i++)
    {
        var r = (double)i / perClass * 5 + 0.5;
        var angle = 3.5 * Math.PI * i / perClass + c * Math.PI;
        var k = c * perClass + i;
        points[2 * k] = (float)(r * Math.Cos(angle) + noise.NextDouble() * 0.1);
        points[2 * k + 1] = (float)(r * Math.Sin(angle) + noise.NextDouble() * 0.1);
        labels[k] = c;
    }
}
using var x = tensor(points, [perClass * 2, 2]);
using var y = tensor(labels);

using var model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2));
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
var scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, 800);
Console.WriteLine($"libtorch {__version__}, {get_num_threads()} threads, {model.NumberOfParameters()} parameters");

var clock = Stopwatch.StartNew();
for (var epoch = 1; epoch <= 800; epoch++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var loss = F.cross_entropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    scheduler.step();
    if (epoch % 200 == 0)
    {
        Console.WriteLine($"epoch {epoch, 4}  loss {loss.item<float>():F4}");
    }
}

double accuracy;
using (no_grad())
using (var scope = NewDisposeScope())
{
    accuracy = model.forward(x).argmax(1).eq(y).to(float32).mean().item<float>();
}

Console.WriteLine($"accuracy {accuracy:P2} after {clock.Elapsed.TotalSeconds:F1} s");

Directory.CreateDirectory(output);
var weights = Path.Combine(output, "spiral_mlp.safetensors");
model.save_safetensors(
    weights,
    new Dictionary<string, string>
    {
        ["accuracy"] = accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    }
);
Console.WriteLine($"weights: {weights}");
return accuracy >= 0.99 ? 0 : 1;
