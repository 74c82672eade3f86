using System.Globalization;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Export;
using Nsmt.Amp.Training.Modules;
using Nsmt.Config;
using Nsmt.Neural;
using Nsmt.Spectral.Data;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Models;
using Nsmt.Spectral.Training.Config;
using Nsmt.Spectral.Training.Data;
using static TorchSharp.torch;

namespace Nsmt.Diagrams;

/// <summary>A model built for diagrams, traced with a batch-1 example input, and the name its files go under.</summary>
public sealed record TracedModel(string Name, string Description, ModelTrace Trace);

/// <summary>
/// Builds the model a diagram is drawn for, from any of the places a model is defined: an experiment (composed
/// like Train does: configs/train.yaml + the experiment's group files + overrides), a model config with explicit
/// heads and input shape, an amp training config, or a .nam file. The example input is seeded random values of
/// one batch item; only shapes and counts reach the outputs.
/// </summary>
public static class ModelSources
{
    /// <summary>Output samples of an amp model's example input beyond its context.</summary>
    public const int DefaultAmpSamples = 64;

    /// <summary>
    /// The most output samples an amp diagram traces: the trace keeps every layer's output, so memory grows with the
    /// samples (2e9 took 19 GB), while the diagram shows only shapes and counts, the same for 64 samples as for more.
    /// </summary>
    public const int MaxAmpSamples = 65_536;

    /// <summary>
    /// The most values (channels x height x width) of a spectral example input: activations grow with it (a
    /// 100000x100000 input crashed libtorch), and the diagram needs one representative image; datasets here are at
    /// most 64x64, and 2048x2048 still fits.
    /// </summary>
    public const long MaxInputValues = 1L << 22;

    public static TracedModel FromExperiment(string configRoot, string experiment, IReadOnlyList<string> overrides)
    {
        var config = TrainConfig.Load(configRoot, experiment, overrides);
        var workspace = Path.GetDirectoryName(Path.GetFullPath(configRoot).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        var (heads, shape, origin) = DatasetShape(config.Data, workspace);
        CheckInputSize(shape, origin);
        var description =
            $"experiment {experiment}: {config.Model.Network.Architecture}, {heads.Count} heads and {shape} input from {origin}";
        return Spectral(
            experiment,
            description,
            config.Model,
            heads,
            shape,
            config.Seed,
            config.Data.AuxiliaryFeatures.Count
        );
    }

    /// <summary>A model config file (configs/model/NAME.yaml) with heads and input shape given on the command line.</summary>
    public static TracedModel FromModelConfig(
        string path,
        IReadOnlyList<HeadSpec> heads,
        InputShape shape,
        IReadOnlyList<string> overrides
    )
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model config not found: {path}", path);
        }
        // The file is the model: group of a training config; binding the rest from defaults validates its keys.
        var root = new ConfigMapping(path);
        root.Set("model", ConfigYaml.ReadFile(path));
        foreach (var o in overrides)
        {
            ConfigOverride.Parse(o.StartsWith("model.", StringComparison.Ordinal) ? o : "model." + o).ApplyTo(root);
        }

        var config = TrainConfig.Bind(root);
        var name = Path.GetFileNameWithoutExtension(path);
        return Spectral(
            name,
            $"model {path}: {config.Model.Network.Architecture}, {heads.Count} heads, {shape} input",
            config.Model,
            heads,
            shape,
            config.Seed
        );
    }

    public static TracedModel FromAmpConfig(
        string path,
        IReadOnlyList<string> overrides,
        int samples = DefaultAmpSamples
    )
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"amp config not found: {path}", path);
        }

        var config = AmpTrainConfig.Load(path, overrides);
        manual_seed(config.Seed);
        using var module = config.Model.CreateModule(config.Data.SampleRate);
        return Amp(
            Path.GetFileNameWithoutExtension(path),
            $"amp config {path}: {config.Model.Describe()}",
            module,
            samples,
            config.Seed
        );
    }

    public static TracedModel FromNamFile(string path, int samples = DefaultAmpSamples)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($".nam file not found: {path}", path);
        }

        using var module = NamExport.Load(path);
        return Amp(
            Path.GetFileNameWithoutExtension(path),
            $".nam file {path}: {module.TypeName()}",
            module,
            samples,
            0
        );
    }

    /// <summary>"note_velocity:3,log10_decay_time:24".</summary>
    public static IReadOnlyList<HeadSpec> ParseHeads(string text)
    {
        var heads = new List<HeadSpec>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split(':');
            if (
                parts.Length != 2
                || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var classes)
                || classes < 1
            )
            {
                throw new ArgumentException(
                    $"--heads: expected name:classes items separated by commas (e.g. note_velocity:3,log10_decay_time:24), got '{item}'"
                );
            }

            heads.Add(new HeadSpec(parts[0], classes));
        }
        return heads.Count > 0
            ? heads
            : throw new ArgumentException("--heads: expected at least one name:classes item");
    }

    /// <summary>"1x32x32" (channels x height x width).</summary>
    public static InputShape ParseInputShape(string text)
    {
        var parts = text.Split('x');
        var values = parts
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : 0)
            .ToArray();
        var shape =
            values.Length == 3 && values.All(v => v > 0)
                ? new InputShape(values[0], values[1], values[2])
                : throw new ArgumentException(
                    $"--input: expected CxHxW with positive integers (e.g. 1x32x32), got '{text}'"
                );
        CheckInputSize(shape, "--input");
        return shape;
    }

    private static void CheckInputSize(InputShape shape, string source)
    {
        var values = (long)shape.Channels * shape.Height * shape.Width;
        if (values > MaxInputValues)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{source}: input {shape.Channels}x{shape.Height}x{shape.Width} has {values:N0} values, more than the diagram's limit of {MaxInputValues:N0} (ModelSources.MaxInputValues): the trace keeps every layer's output for one example image, and a smaller image shows the same layers"
                )
            );
        }
    }

    /// <summary>
    /// Heads and image shape as training would see them: from the dataset's info file when it was generated,
    /// else from its generator config (no need to generate data to draw a model).
    /// </summary>
    private static (IReadOnlyList<HeadSpec> Heads, InputShape Shape, string Origin) DatasetShape(
        Nsmt.Spectral.Training.Config.DataSettings data,
        string workspace
    )
    {
        var info = Path.Combine(workspace, data.Directory, VimhFormat.InfoFileName);
        if (File.Exists(info))
        {
            var dataset = VimhInfo.Read(info);
            return (
                DatasetHeads.From(dataset.Heads),
                new InputShape(dataset.Channels, dataset.Height, dataset.Width),
                info
            );
        }
        var generatorPath = Path.Combine(workspace, data.Generator);
        var generator = GeneratorConfig.Load(generatorPath, data.Size is { } size ? [$"dataset.size={size}"] : []);
        return (
            DatasetHeads.From(generator.VaryingParameters),
            new InputShape(generator.Channels, generator.Height, generator.Width),
            generatorPath
        );
    }

    private static TracedModel Spectral(
        string name,
        string description,
        Nsmt.Spectral.Training.Config.ModelSettings model,
        IReadOnlyList<HeadSpec> heads,
        InputShape shape,
        long seed,
        int auxiliaryInputs = 0
    )
    {
        manual_seed(seed);
        using var network = ModelFactory.Create(model.Network, heads, shape, model.HeadKind, auxiliaryInputs);
        using var x = rand(1, shape.Channels, shape.Height, shape.Width);
        using var auxiliary = auxiliaryInputs > 0 ? rand(1, auxiliaryInputs) : null;
        return new TracedModel(name, description, ModelTrace.Capture(network, x, auxiliary));
    }

    /// <summary>Amp models take [1, samples]: enough input for <paramref name="samples"/> outputs after the model's context.</summary>
    private static TracedModel Amp(string name, string description, AmpModule module, int samples, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (samples > MaxAmpSamples)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"--samples {samples:N0}: more than the diagram's limit of {MaxAmpSamples:N0} (ModelSources.MaxAmpSamples): the trace keeps every layer's output, so memory grows with the samples, and the diagram (shapes and counts) is the same with the default {DefaultAmpSamples}"
                )
            );
        }

        manual_seed(seed);
        using var x = rand(1, module.Context + module.Lookahead + samples) * 2 - 1;
        return new TracedModel(
            name,
            description + $", {module.Context} samples of context",
            ModelTrace.Capture(module, x)
        );
    }
}
