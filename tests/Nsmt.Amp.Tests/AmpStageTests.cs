using System.Diagnostics;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Format;
using Nsmt.Amp.Processing;
using Nsmt.Amp.Stage;
using Nsmt.Audio;

namespace Nsmt.Amp.Tests;

/// <summary>
/// The Amp stage's command line, run in-process: an output that is one of the inputs (by path, symbolic link or
/// hard link) is refused with exit code 2 unless --overwrite is given, and the input is left as it was.
/// </summary>
public sealed class AmpStageTests : IDisposable
{
    private const int BadInput = 2;

    private readonly string _folder = Directory.CreateTempSubdirectory("nsmt-amp-stage-").FullName;
    private readonly string _wav;
    private readonly string _model;

    public AmpStageTests()
    {
        _model = Path.Combine(_folder, "model.nam");
        NamFile.Save(TestModels.Random(NamPresets.Lstm(LstmPreset.Nano)), _model);
        _wav = Path.Combine(_folder, "same.wav");
        var samples = Enumerable.Range(0, 4800).Select(i => 0.25f * MathF.Sin(i * 0.05f)).ToArray();
        WavFile.Write(_wav, AudioBuffer.Mono(48000, samples), WavSampleFormat.Float32);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static int Amp(params string[] args) => AmpCommands.Root().Parse(args).Invoke();

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(_folder).ToDictionary(p => p, File.ReadAllBytes);

    private void AssertUnchanged(Dictionary<string, byte[]> before)
    {
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
    }

    [NamFixtureFact]
    public void Process_with_size_plays_the_submodel_core_plays_at_that_size()
    {
        var output = Path.Combine(_folder, "lite.wav");
        var input = NamFixtures.PathOf("input_48k_f32.wav");
        Assert.Equal(
            0,
            Amp(
                "process",
                input,
                "-o",
                output,
                "--model",
                CoreExamplesConformanceTests.CoreExample("A2.nam"),
                "--size",
                "0.3"
            )
        );
        var expected = NamFixtures.ReadMono(Path.Combine("core-examples", "A2.size0.3.core.wav"));
        ConformanceTests.AssertClose(expected, WavFile.Read(output).Channels[0], 1e-5f);

        Assert.Equal(
            BadInput,
            Amp(
                "process",
                input,
                "-o",
                output,
                "--overwrite",
                "--model",
                CoreExamplesConformanceTests.CoreExample("A2.nam"),
                "--size",
                "1.5"
            )
        );
    }

    [NamFixtureFact]
    public void Info_describes_a_model_and_refuses_a_missing_one()
    {
        Assert.Equal(0, Amp("info", CoreExamplesConformanceTests.CoreExample("A2.nam")));
        Assert.Equal(BadInput, Amp("info", Path.Combine(_folder, "absent.nam")));
        var broken = Path.Combine(_folder, "broken.nam");
        File.WriteAllText(broken, "{\"version\": \"0.9.0\"}");
        Assert.Equal(BadInput, Amp("info", broken));
    }

    [Fact]
    public void Process_refuses_to_write_over_its_input()
    {
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("process", _wav, "-o", _wav, "--model", _model));
        AssertUnchanged(before);
    }

    [Fact]
    public void Process_refuses_an_output_that_is_a_symbolic_link_to_the_input_or_the_model()
    {
        var link = Path.Combine(_folder, "link.wav");
        File.CreateSymbolicLink(link, _wav);
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("process", _wav, "-o", link, "--model", _model));
        Assert.Equal(BadInput, Amp("process", _wav, "-o", Path.Combine(_folder, ".", "model.nam"), "--model", _model));
        AssertUnchanged(before);
    }

    [Fact]
    public void Process_refuses_an_output_that_is_a_hard_link_to_the_input()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // hard links are recognised through statx, on Linux only
        }

        var hard = Path.Combine(_folder, "hard.wav");
        using (var ln = Process.Start("ln", [_wav, hard]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        Assert.True(FileIdentity.SameFile(_wav, hard));
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("process", _wav, "-o", hard, "--model", _model));
        AssertUnchanged(before);
    }

    [Fact]
    public void Process_with_overwrite_replaces_the_input_and_a_distinct_output_needs_no_flag()
    {
        var original = File.ReadAllBytes(_wav);
        var other = Path.Combine(_folder, "out.wav");
        Assert.Equal(0, Amp("process", _wav, "-o", other, "--model", _model));
        Assert.Equal(original, File.ReadAllBytes(_wav));

        Assert.Equal(0, Amp("process", _wav, "-o", _wav, "--model", _model, "--overwrite"));
        Assert.Equal(File.ReadAllBytes(other), File.ReadAllBytes(_wav));
    }

    [Fact]
    public void Reamp_and_check_refuse_outputs_that_are_inputs()
    {
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("reamp", _wav, "-o", _wav));
        Assert.Equal(BadInput, Amp("check", "--di", _wav, "--reamp", _wav, "--json", _wav));
        AssertUnchanged(before);
    }

    [Fact]
    public void Evaluate_refuses_an_output_folder_where_it_would_replace_an_input()
    {
        var metrics = Path.Combine(_folder, "metrics.json");
        File.Copy(_model, metrics);
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("evaluate", "--model", metrics, "--di", _wav, "--reamp", _wav, "-o", _folder));
        AssertUnchanged(before);
    }

    [Fact]
    public void Process_with_a_model_whose_sizes_overflow_exits_2()
    {
        var hostile = Path.Combine(_folder, "hostile.nam");
        File.WriteAllText(
            hostile,
            "{\"version\": \"0.5.4\", \"architecture\": \"LSTM\", \"sample_rate\": 48000, "
                + "\"config\": {\"input_size\": 1, \"hidden_size\": 2, \"num_layers\": 1073741825}, \"weights\": ["
                + string.Join(", ", Enumerable.Repeat("0.01", 39))
                + "]}"
        );
        var before = Snapshot();
        Assert.Equal(BadInput, Amp("process", _wav, "-o", Path.Combine(_folder, "out.wav"), "--model", hostile));
        AssertUnchanged(before);
    }
}
