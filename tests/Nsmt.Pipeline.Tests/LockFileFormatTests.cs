using Nsmt.Pipeline.Fingerprints;
using Nsmt.Pipeline.Hashing;
using Nsmt.Pipeline.State;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// The lock file is read and written by the config library's YAML reader and writer (issue 28). A lock written by
/// the earlier hand-written writer (main at 3792014, below as it wrote it) still loads to the same records: its
/// fingerprints, computed by that code from the original parts, are the hashes of the parts read back.
/// </summary>
public sealed class LockFileFormatTests
{
    private const string WrittenByMain = """
        # Written by Nsmt.Pipeline after each successful stage: what every stage last ran with (its fingerprint and
        # the parts it is computed from) and the outputs it produced. Do not edit; `dotnet cake --target=Status`
        # explains what changed since.
        schema: 1
        stages:
          diagram@x:
            fingerprint: 247b728a8b1284f19efeb7dc1dae310f88d7689c0fbdeea2415da7e34e510605
            cmd: []
            code:
              files: {}
              packages: {}
            deps: {}
            params: {}
            seed: null
            tools: {}
            outs: {}
          train@first_amp:
            fingerprint: 5d94f3bfceedc340e4d8e4c7c48d7e19d1895579f47b890af0e9fee8bd414549
            cmd: [dotnet, stages/AmpTrain/bin/AmpTrain.dll, "--config", configs/amp/first_amp.yaml, "a, b", "key: value", "[x]"]
            code:
              files:
                src/Nsmt.Amp/Format/Nam File.cs: bb22
                stages/AmpTrain/Program.cs: aa11
              packages:
                TorchSharp: 0.107.0
            deps:
              data/amp/first_amp/di.wav: cc33
            params:
              __overrides__: {}
              configs/amp/first_amp.yaml:
                data.amp: {"drive": 0.5, "name: odd": "x"}
                data.features: ["rms_db", -3, []]
                data.source: "reference"
                loss.ceiling: .inf
                loss.floor: -.inf
                loss.gap: .nan
                metadata.empty: ""
                metadata.looks_like_number: "1e-3"
                metadata.name: "Amp: \"Lead\" #1, 'crunch'"
                metadata.notes: "two\nlines\tand a tab"
                model.nam_version: null
                model.scale: 2.0
                training.deterministic: true
                training.epochs: 100
                training.lr: 0.004
            seed: 7
            tools:
              dotnet: 10.0.100
              sox: "SoX v14.4.2: built"
            outs:
              runs/amp/first_amp: {kind: dir, hash: dd44, files: 12, bytes: 34567}
        """;

    [Fact]
    public void A_lock_written_by_the_earlier_writer_loads_to_the_records_it_was_written_from()
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", WrittenByMain);
        var lockFile = LockFile.Load(workspace.Path_("artifacts/pipeline.lock"));

        Assert.Equal(["diagram@x", "train@first_amp"], lockFile.Entries.Select(e => e.Stage));
        Assert.All(lockFile.Entries, e => Assert.Equal(e.Fingerprint, e.Parts.ComputeFingerprint()));
        var train = lockFile["train@first_amp"]!;
        Assert.Equal(
            [
                "dotnet",
                "stages/AmpTrain/bin/AmpTrain.dll",
                "--config",
                "configs/amp/first_amp.yaml",
                "a, b",
                "key: value",
                "[x]",
            ],
            train.Parts.Command
        );
        var values = train.Parts.Params["configs/amp/first_amp.yaml"];
        Assert.Equal(ParamValue.Of("two\nlines\tand a tab"), values["metadata.notes"]);
        Assert.Equal(ParamValue.Of("Amp: \"Lead\" #1, 'crunch'"), values["metadata.name"]);
        Assert.Equal(ParamValue.Of("1e-3"), values["metadata.looks_like_number"]);
        Assert.Equal(ParamValue.Of(double.NegativeInfinity), values["loss.floor"]);
        Assert.Equal(ParamValue.Of(2.0), values["model.scale"]);
        Assert.Equal("SoX v14.4.2: built", train.Parts.Tools["sox"]);
        Assert.Equal(ParamValue.Of(7L), train.Parts.Seed);
        Assert.Equal([new OutputRecord("runs/amp/first_amp", PathKind.Directory, "dd44", 12, 34567)], train.Outs);
    }

    [Fact]
    public void A_lock_written_now_reads_back_as_the_same_records()
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", WrittenByMain);
        var path = workspace.Path_("artifacts/pipeline.lock");
        var before = LockFile.Load(path);
        before.Save();
        var after = LockFile.Load(path);

        Assert.Equal(Records(before), Records(after));
        Assert.All(after.Entries, e => Assert.Equal(e.Fingerprint, e.Parts.ComputeFingerprint()));
        Assert.Equal(workspace.Read("artifacts/pipeline.lock"), after.Render());
    }

    [Theory]
    [InlineData(
        "files: 12",
        "files: many",
        ":51:",
        "field 'stages.train@first_amp.outs.runs/amp/first_amp.files': expected a whole number"
    )]
    [InlineData(
        "kind: dir, hash: dd44, ",
        "kind: dir, ",
        ":51:",
        "field 'stages.train@first_amp.outs.runs/amp/first_amp.hash' is missing"
    )]
    [InlineData(
        "    cmd: []\n",
        "    cmd: {}\n",
        ":8:",
        "field 'stages.diagram@x.cmd': expected a list, got a mapping"
    )]
    [InlineData("    seed: 7\n", "", ":18:", "field 'stages.train@first_amp.seed' is missing")]
    public void A_malformed_lock_is_refused_naming_the_file_line_and_field(
        string was,
        string malformed,
        string line,
        string expected
    )
    {
        using var workspace = new TestWorkspace();
        workspace.Write("artifacts/pipeline.lock", WrittenByMain.Replace(was, malformed, StringComparison.Ordinal));
        var path = workspace.Path_("artifacts/pipeline.lock");
        var e = Assert.Throws<PipelineException>(() => LockFile.Load(path));
        Assert.StartsWith(path + line, e.Message, StringComparison.Ordinal);
        Assert.Contains("unreadable lock file: " + expected, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "delete it to start a fresh record (stages will rerun or restore from the cache)",
            e.Message,
            StringComparison.Ordinal
        );
    }

    private static IEnumerable<(string, string, string, string)> Records(LockFile lockFile) =>
        lockFile.Entries.Select(e => (e.Stage, e.Fingerprint, e.Parts.ComputeFingerprint(), string.Join("; ", e.Outs)));
}
