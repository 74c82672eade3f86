using System.Diagnostics;
using Nsmt.Amp.Format;
using Nsmt.Spectral.Models;

namespace Nsmt.Diagrams.Tests.Stage;

/// <summary>The Diagram stage: models from experiments, model configs and .nam files, and its command line.</summary>
public sealed class DiagramStageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nsmt-diagram-stage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException(
                "repository root (Pipeline.sln) not found above " + AppContext.BaseDirectory
            );
        }
    }

    private static string Configs => Path.Combine(RepositoryRoot, "configs");

    [Theory]
    // Parameter counts on simple_saw (heads 3 + 24) from the spec's table (spectral-models.md), counted with PyTorch.
    [InlineData("quick", "SimpleCnn", 10_411)]
    [InlineData("trivial_tiny_small", "SimpleCnn", 39_483)]
    [InlineData("quick_vit", "VisionTransformer", 22_779)]
    public void Experiments_build_the_configured_model_sized_from_the_generator_config(
        string experiment,
        string type,
        long parameters
    )
    {
        // A data folder that does not exist: heads and image shape come from the generator config, without generating.
        var model = ModelSources.FromExperiment(
            Configs,
            experiment,
            ["data.dir=" + Path.Combine(_directory, "absent")]
        );
        Assert.Equal(experiment, model.Name);
        Assert.Equal(type, model.Trace.ModelName);
        Assert.Equal(parameters, TorchinfoStatistics.Of(model.Trace).TotalParams);
        Assert.Equal(
            ["note_velocity: [1, 3]", "log10_decay_time: [1, 24]"],
            model.Trace.OutputShapes.Select(s => s.ToString())
        );
        Assert.Equal("[1, 1, 32, 32]", model.Trace.InputShapes.Single().DimsText);
        Assert.False(Directory.Exists(Path.Combine(_directory, "absent")));
    }

    [Fact]
    public void An_existing_dataset_gives_the_heads_and_shape()
    {
        var dataset = Directory.CreateDirectory(Path.Combine(_directory, "dataset")).FullName;
        File.WriteAllText(
            Path.Combine(dataset, "vimh_dataset_info.json"),
            """
            {"format": "VIMH", "version": "2.1", "dataset_name": "vimh-16x24x3_8000Hz_1p0s_8dss_simple_1p", "height": 16, "width": 24,
             "channels": 3, "varying_parameters": 1, "parameter_names": ["gain"],
             "parameter_mappings": {"gain": {"min": 0.0, "max": 1.0, "step": 0.25, "description": "test"}}}
            """
        );
        var model = ModelSources.FromExperiment(Configs, "quick", ["data.dir=" + dataset]);
        Assert.Equal(["gain: [1, 5]"], model.Trace.OutputShapes.Select(s => s.ToString()));
        Assert.Equal("[1, 3, 16, 24]", model.Trace.InputShapes.Single().DimsText);
    }

    [Fact]
    public void Model_configs_take_heads_input_shape_and_overrides()
    {
        var model = ModelSources.FromModelConfig(
            Path.Combine(Configs, "model", "vit_micro_regression.yaml"),
            ModelSources.ParseHeads("a:3, b:5"),
            ModelSources.ParseInputShape("2x32x64"),
            ["net.embed_dim=16"]
        );
        Assert.Equal("vit_micro_regression", model.Name);
        Assert.Equal(["a: [1, 1]", "b: [1, 1]"], model.Trace.OutputShapes.Select(s => s.ToString())); // regression heads
        Assert.Contains(model.Trace.Layers, l => l.Path == "patch_embedding" && l.Settings == "2->16 k8 s8");
        Assert.Equal([new HeadSpec("a", 3), new HeadSpec("b", 5)], ModelSources.ParseHeads("a:3,b:5"));
        Assert.Contains(
            "got 'a'",
            Assert.Throws<ArgumentException>(() => ModelSources.ParseHeads("a")).Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "got '1x32'",
            Assert.Throws<ArgumentException>(() => ModelSources.ParseInputShape("1x32")).Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "net.bogus",
            Assert
                .ThrowsAny<Exception>(() =>
                    ModelSources.FromModelConfig(
                        Path.Combine(Configs, "model", "cnn_micro.yaml"),
                        [new HeadSpec("a", 2)],
                        new InputShape(1, 32, 32),
                        ["net.bogus=1"]
                    )
                )
                .Message,
            StringComparison.Ordinal
        );
    }

    private static string? NamFixture(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "nam", name));
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void Nam_files_are_traced_with_their_receptive_field_of_input()
    {
        var path = NamFixture("wavenet_a1_standard.nam");
        Assert.True(path is not null, "NAM fixtures not found in ../shared/fixtures/nam next to the repository");
        var model = ModelSources.FromNamFile(path!, samples: 32);
        var nam = NamFile.Load(path!);
        Assert.Equal("NamWaveNet", model.Trace.ModelName);
        Assert.Equal($"[1, {nam.ReceptiveField - 1 + 32}]", model.Trace.InputShapes.Single().DimsText);
        Assert.Equal("[1, 32]", model.Trace.OutputShapes.Single().DimsText);
        // Every weight of the file but the head scale, which our module keeps as a constant.
        Assert.Equal(nam.Weights.Length - 1, TorchinfoStatistics.Of(model.Trace).TotalParams);
        // NAM's last layer feeds only the head: its residual 1x1 exists in the file but never runs.
        Assert.Equal(
            ["layer_arrays.1.layers.9.1x1"],
            model.Trace.Layers.Where(l => l.Kind == LayerKind.NotReached).Select(l => l.Path)
        );
        ModelGraph.ToDot(model.Trace); // the layers and arrays, which are not called themselves, become boxes
    }

    [Fact]
    public void Lstm_nam_files_list_the_recurrent_core_even_though_no_hook_sees_it()
    {
        var path = NamFixture("lstm.nam");
        Assert.True(path is not null, "NAM fixtures not found in ../shared/fixtures/nam next to the repository");
        var model = ModelSources.FromNamFile(path!);
        var core = Assert.Single(model.Trace.Layers, l => l.TypeName == "LSTM");
        Assert.Equal(LayerKind.NotReached, core.Kind); // NamLstm runs it with forward(input, state): see the report
        Assert.Equal("[1, 64, 1]", model.Trace.Layers.Single(l => l.Path == "head").OutputShapes.Single().DimsText);
    }

    [Fact]
    public void Amp_configs_build_their_model_with_overrides()
    {
        var config = Path.Combine(Configs, "amp", "default.yaml");
        Assert.True(File.Exists(config), $"{config} is missing");
        var model = ModelSources.FromAmpConfig(
            config,
            ["model.type=plain_wavenet", "model.plain_wavenet.layers=4"],
            samples: 16
        );
        var options = new Nsmt.Amp.Training.Modules.PlainWaveNetOptions(Layers: 4);
        Assert.Equal("PlainWaveNet", model.Trace.ModelName);
        Assert.Equal(options.ParameterCount, TorchinfoStatistics.Of(model.Trace).TotalParams); // 2C + L(C*C*K + C) + C + 1
        Assert.Equal($"[1, {options.ReceptiveField - 1 + 16}]", model.Trace.InputShapes.Single().DimsText);
        Assert.Equal("[1, 16]", model.Trace.OutputShapes.Single().DimsText);
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Diagram.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + errors.Result);
    }

    [Fact]
    public void Command_line_writes_the_three_files()
    {
        var output = Path.Combine(_directory, "out");
        var (code, text) = Run(
            "--experiment",
            "quick",
            "--configs",
            Configs,
            "--output",
            output,
            "--direction",
            "LR",
            "--depth",
            "1",
            "data.dir=" + Path.Combine(_directory, "absent")
        );
        Assert.True(code == 0, text);
        Assert.Contains("SimpleCnn: 10,411 parameters", text, StringComparison.Ordinal);
        Assert.Contains($"DIAGRAM_PATH: {output}", text, StringComparison.Ordinal);
        Assert.Contains(
            "├─Sequential: 1-1                        [1, 16, 4, 4]             1,296",
            File.ReadAllText(Path.Combine(output, "summary.txt")),
            StringComparison.Ordinal
        );
        Assert.Contains("rankdir=LR", File.ReadAllText(Path.Combine(output, "model.dot")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "model.svg")), text);
    }

    // Exit codes (README, "Command line"): 1 for a command-line mistake, 2 for an input that cannot be used.
    [Theory]
    [InlineData(2, "unknown experiment 'nope'", "--experiment", "nope")]
    [InlineData(1, "give exactly one of", "--experiment", "quick", "--nam", "x.nam")]
    [InlineData(1, "--model needs --heads", "--model", "configs/model/cnn_micro.yaml")]
    [InlineData(1, "--direction expects TB or LR", "--experiment", "quick", "--direction", "up")]
    [InlineData(2, ".nam file not found", "--nam", "missing.nam")]
    [InlineData(2, "unknown key 'model.net.bogus'", "--experiment", "quick", "model.net.bogus=1")]
    [InlineData(1, "unexpected argument 'stray'", "--experiment", "quick", "stray")]
    public void Bad_arguments_fail_with_a_message(int exitCode, string expected, params string[] args)
    {
        var (code, text) = Run([.. args, "--configs", Configs, "--output", Path.Combine(_directory, "never")]);
        Assert.Equal(exitCode, code);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "never")));
    }

    [Fact]
    public void An_input_shape_beyond_the_limit_is_bad_input_stating_the_limit_not_a_crash()
    {
        var output = Path.Combine(_directory, "never");
        var (code, text) = Run(
            "--model",
            Path.Combine(Configs, "model", "cnn_micro.yaml"),
            "--heads",
            "note_velocity:3",
            "--input",
            "1x100000x100000",
            "--output",
            output
        );
        Assert.True(code == 2, $"exit {code}: {text}");
        Assert.Contains(
            "--input: input 1x100000x100000 has 10,000,000,000 values, more than the diagram's limit of 4,194,304",
            text,
            StringComparison.Ordinal
        );
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void An_input_too_small_for_the_model_is_bad_input_in_libtorchs_words_without_its_cpp_frames()
    {
        // The probe's case: libtorch's error, C++ backtrace and all ("Exception raised from ... frame #0"), as an unexpected error.
        var output = Path.Combine(_directory, "never");
        var (code, text) = Run(
            "--model",
            Path.Combine(Configs, "model", "cnn_micro.yaml"),
            "--heads",
            "note_velocity:3",
            "--input",
            "1x2x2",
            "--output",
            output
        );
        Assert.True(code == 2, $"exit {code}: {text}");
        Assert.Contains(
            "Diagram: error: the example forward pass of SimpleCnn failed: Given input size: (16x1x1). Calculated output size: (16x0x0). Output size is too small",
            text,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("frame #", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception raised from", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Amp_samples_beyond_the_limit_are_bad_input_stating_the_limit()
    {
        var path = NamFixture("lstm.nam");
        Assert.True(path is not null, "NAM fixtures not found in ../shared/fixtures/nam next to the repository");
        var output = Path.Combine(_directory, "never");
        var (code, text) = Run("--nam", path!, "--samples", "2000000000", "--output", output);
        Assert.True(code == 2, $"exit {code}: {text}");
        Assert.Contains(
            "--samples 2,000,000,000: more than the diagram's limit of 65,536",
            text,
            StringComparison.Ordinal
        );
        Assert.False(Directory.Exists(output));
        Assert.Equal(
            "[1, 65536, 1]",
            ModelSources
                .FromNamFile(path!, ModelSources.MaxAmpSamples)
                .Trace.Layers.Single(l => l.Path == "head")
                .OutputShapes.Single()
                .DimsText
        );
    }
}
