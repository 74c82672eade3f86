using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Training;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Data;
using Nsmt.Audio;
using Nsmt.Runs;

// The C# side of bench/amp-train (run.sh drives it next to pytorch_train.py):
//   AmpTrainBench prepare DIR [--seconds S]      reference-amp capture -> DIR/input.wav, output.wav (float32), data.json
//   AmpTrainBench train DIR --model seed|standard|feather|nano --epochs N --threads T [--batch B] [--ny NY] [--precision 32|bf16-mixed]
//   AmpTrainBench formulations [--threads T] [--repeats N] [--onednn auto|on|off] [--modes nam,crop,...]
//                              [--array2-channels C] [--onednn-unchecked on|off]   dilated-conv formulations (Formulations.cs)
//   AmpTrainBench simdconv [--threads T] [--repeats N] [--onednn off]   one conv layer: SimdConv1d vs libtorch (SimdConvBench.cs)
//   AmpTrainBench conv2d [--threads T] [--repeats N] [--onednn off]     the CNNs' 3x3 conv2d through SimdConv1d (Conv2dBench.cs)
//   AmpTrainBench simdconv2d [--threads T] [--repeats N] [--onednn off] [--only NAME]  the CNNs' 3x3 conv2d: SimdConv2d vs libtorch (SimdConv2dBench.cs)
//   AmpTrainBench simdmaxpool2d [--threads T] [--repeats N] [--onednn off]  the CNNs' 2x2 max pools: SimdMaxPool2d vs libtorch (SimdMaxPool2dBench.cs)
//   AmpTrainBench simdbatchnorm2d [--threads T] [--repeats N] [--onednn off]  the CNNs' batch norms: SimdBatchNorm2d vs libtorch (SimdBatchNorm2dBench.cs)
// "train" runs the real AmpTrainer and prints one line per epoch: "epoch E train_seconds S val_esr V".

if (Array.IndexOf(args, "--onednn") is int at and >= 0 && at + 1 < args.Length)
{
    // The micro-benches call torch directly: set the engine as asked, through the self-check (NSMT_ONEDNN does the
    // same for "train", whose trainer runs the check itself).
    Nsmt.Neural.Engine.EngineGuard.Ensure(Nsmt.Neural.Engine.EngineGuard.Parse(args[at + 1], "--onednn"));
}

if (args.Length >= 1 && args[0] == "formulations")
{
    return Formulations.Run(
        (int)Option("--threads", 2),
        (int)Option("--repeats", 5),
        OptionText("--modes", string.Join(',', Formulations.AllModes)).Split(','),
        (int)Option("--array2-channels", 8),
        OptionText("--onednn-unchecked", "") switch
        {
            "on" => true,
            "off" => false,
            _ => null,
        }
    );
}

if (args.Length >= 1 && args[0] == "stack")
{
    return Formulations.Stack((int)Option("--threads", 1), (int)Option("--repeats", 10));
}

if (args.Length >= 1 && args[0] == "simdconv")
{
    return SimdConvBench.Run((int)Option("--threads", 1), (int)Option("--repeats", 5));
}

if (args.Length >= 1 && args[0] == "conv2d")
{
    return Conv2dBench.Run((int)Option("--threads", 1), (int)Option("--repeats", 21));
}

if (args.Length >= 1 && args[0] == "simdconv2d")
{
    return SimdConv2dBench.Run((int)Option("--threads", 1), (int)Option("--repeats", 41), OptionText("--only", ""));
}

if (args.Length >= 1 && args[0] == "simdmaxpool2d")
{
    return SimdMaxPool2dBench.Run((int)Option("--threads", 1), (int)Option("--repeats", 41));
}

if (args.Length >= 1 && args[0] == "simdbatchnorm2d")
{
    return SimdBatchNorm2dBench.Run((int)Option("--threads", 1), (int)Option("--repeats", 41));
}

if (args.Length >= 1 && args[0] == "convs")
{
    return Formulations.SingleConvs((int)Option("--threads", 2), (int)Option("--repeats", 5));
}

if (args.Length >= 2 && args[0] == "prepare")
{
    var seconds = Option("--seconds", 30);
    var data = AmpDataLoader.Load(new DataSettings { Seconds = seconds, ValidationSeconds = 3 });
    Directory.CreateDirectory(args[1]);
    WavFile.Write(
        Path.Combine(args[1], "input.wav"),
        AudioBuffer.Mono(data.SampleRate, data.Input),
        WavSampleFormat.Float32
    );
    WavFile.Write(
        Path.Combine(args[1], "output.wav"),
        AudioBuffer.Mono(data.SampleRate, data.Output),
        WavSampleFormat.Float32
    );
    File.WriteAllText(
        Path.Combine(args[1], "data.json"),
        JsonSerializer.Serialize(
            new
            {
                sample_rate = data.SampleRate,
                train = new[] { data.Train.Start, data.Train.Length },
                validation = new[] { data.Validation.Start, data.Validation.Length },
            }
        )
    );
    Console.WriteLine($"prepared {args[1]}: {data.Description}");
    return 0;
}

if (args.Length >= 2 && args[0] == "train")
{
    var dir = args[1];
    var model = OptionText("--model", "standard");
    var overrides = new List<string>
    {
        $"training.epochs={(int)Option("--epochs", 3)}",
        $"training.threads={(int)Option("--threads", 2)}",
        $"training.batch_size={(int)Option("--batch", 16)}",
        $"data.ny={(int)Option("--ny", 8192)}",
        "training.top_k=0",
        $"training.precision={OptionText("--precision", "32-true")}",
        model == "seed" ? "model.type=plain_wavenet" : $"model.preset={model}",
    };
    var config = AmpTrainConfig.Parse("", "bench", overrides);
    using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "data.json")));
    SampleRange Range(string name) =>
        new(meta.RootElement.GetProperty(name)[0].GetInt32(), meta.RootElement.GetProperty(name)[1].GetInt32());
    var input = WavFile.Read(Path.Combine(dir, "input.wav"));
    var output = WavFile.Read(Path.Combine(dir, "output.wav"));
    var data = new AmpTrainingData(
        input.Channels[0],
        output.Channels[0],
        input.SampleRate,
        Range("train"),
        Range("validation")
    );
    var runDir = Path.Combine(Path.GetTempPath(), $"nsmt-amp-bench-{Guid.NewGuid():N}");
    try
    {
        var run = RunDirectory.At(runDir);
        try
        {
            new AmpTrainer(config, data, run).Run();
        }
        catch (Nsmt.Core.NsmtEnvironmentException refused)
        {
            // The engine self-check refused this oneDNN setting on this CPU: the stages' exit code for it.
            Console.Error.WriteLine(refused.Message);
            return 4;
        }

        foreach (var row in MetricsCsvLogger.Read(run.MetricsCsv))
        {
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"epoch {(int)row["epoch"] + 1} train_seconds {row["train_seconds"]:0.000} val_esr {row["val/esr"]:0.000000}"
                )
            );
        }
    }
    finally
    {
        Directory.Delete(runDir, recursive: true);
    }

    return 0;
}

Console.Error.WriteLine(
    "usage: AmpTrainBench prepare DIR [--seconds S] | train DIR --model seed|standard|feather|nano --epochs N --threads T [--batch B] [--ny NY] [--precision 32|bf16-mixed] | formulations [--threads T] [--repeats N] [--onednn auto|on|off] [--modes M,...] [--array2-channels C] [--onednn-unchecked on|off] | conv2d [--threads T] [--repeats N] [--onednn off] | simdconv2d [--threads T] [--repeats N] [--onednn off] [--only NAME] | simdmaxpool2d [--threads T] [--repeats N] [--onednn off] | simdbatchnorm2d [--threads T] [--repeats N] [--onednn off]"
);
return 2;

double Option(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string OptionText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
