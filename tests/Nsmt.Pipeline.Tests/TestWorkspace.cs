using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// A throw-away workspace holding a tiny three-stage pipeline whose stages are shell scripts (generate -> train ->
/// evaluate), so engine tests run real processes in milliseconds and never touch the real stages.
/// </summary>
internal sealed class TestWorkspace : IDisposable
{
    public const string PipelineYaml = """
        phases: [Generate, Train, Evaluate]
        default: [alpha]
        flows:
          toy:
            config: configs/experiment/${experiment}.yaml
            stages:
              generate:
                phase: Generate
                key: ${exp.data}
                command: [sh, stages/generate.sh, "configs/data/${exp.data}.yaml", "${outs.dataset}"]
                code: [stages/generate.sh]
                params: ["configs/data/${exp.data}.yaml"]
                outs:
                  dataset: data/${exp.data}
              train:
                phase: Train
                command: [sh, stages/train.sh, "${deps.data}", "${outs.run}"]
                code: [stages/train.sh]
                deps:
                  data: data/${exp.data}
                params:
                  - configs/train.yaml: [lr, epochs, seed]
                outs:
                  run: runs/${experiment}
                metrics: ["runs/${experiment}/metrics.json"]
              evaluate:
                phase: Evaluate
                command: [sh, stages/evaluate.sh, "${deps.run}", "${outs.report}"]
                code: [stages/evaluate.sh]
                deps:
                  run: runs/${experiment}
                outs:
                  report: eval/${experiment}/report.txt
        """;

    public const string GenerateScript = """
        set -e
        size=$(sed -n 's/^size: *//p' "$1")
        mkdir -p "$2"
        seq 1 "$size" > "$2/samples.txt"
        echo "size=$size" > "$2/info.txt"
        """;

    // Writes a partial file first and, when the workspace holds a file named "slow", waits there: the window in
    // which the interruption tests stop it.
    public const string TrainScript = """
        set -e
        data=$1; run=$2; shift 2
        lr=$(sed -n 's/^lr: *//p' configs/train.yaml)
        for a in "$@"; do case "$a" in lr=*) lr=${a#lr=};; esac; done
        mkdir -p "$run/checkpoints"
        echo partial > "$run/partial.txt"
        if [ -f slow ]; then echo started > slow.started; sleep 30 </dev/null >/dev/null 2>&1; fi
        rm "$run/partial.txt"
        sum=$(awk '{s+=$1} END {print s}' "$data/samples.txt")
        echo "{\"lr\": $lr, \"sum\": $sum}" > "$run/metrics.json"
        echo "weights lr=$lr sum=$sum" > "$run/checkpoints/best.ckpt"
        """;

    public const string EvaluateScript = """
        set -e
        mkdir -p "$(dirname "$2")"
        { cat "$1/metrics.json"; echo evaluated; } > "$2"
        """;

    public TestWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "nsmt-pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Write("pipeline.yaml", PipelineYaml);
        Write("stages/generate.sh", GenerateScript);
        Write("stages/train.sh", TrainScript);
        Write("stages/evaluate.sh", EvaluateScript);
        Write("configs/experiment/alpha.yaml", "data: tiny\n");
        Write("configs/experiment/beta.yaml", "data: tiny\n");
        Write("configs/data/tiny.yaml", "size: 5\nseed: 1\n");
        Write("configs/train.yaml", "# learning setup\nlr: 0.1\nepochs: 2\nseed: 7\nunused: 1\n");
        Runner = new CountingRunner();
    }

    public string Root { get; }

    public CountingRunner Runner { get; }

    /// <summary>The workspace as the engine sees it; the stat cache trusts files at once, so tests need not wait.</summary>
    public PipelineWorkspace Workspace => new(Root) { StatCacheRacyMarginNs = 0 };

    public PipelineEngine Engine() => new(Workspace, Runner);

    public RunSummary Run(RunRequest? request = null) => Engine().Run(request ?? new RunRequest());

    public string Path_(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string text)
    {
        var full = Path_(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text.Replace("\r\n", "\n") + (text.EndsWith('\n') ? string.Empty : "\n"));
    }

    public string Read(string relative) => File.ReadAllText(Path_(relative));

    /// <summary>Every output file of the workspace (relative path and bytes), to compare two runs.</summary>
    public SortedDictionary<string, string> Outputs()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in new[] { "data", "runs", "eval" })
        {
            var full = Path_(dir);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (var f in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(Root, f)] = File.ReadAllText(f);
            }
        }

        return files;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}

/// <summary>Runs stages as real processes and records which ran.</summary>
internal sealed class CountingRunner : IStageExecutor
{
    private readonly ProcessStageRunner _inner = new();

    public List<string> Invoked { get; } = [];

    public int Run(StageInvocation invocation, CancellationToken cancellationToken)
    {
        lock (Invoked)
        {
            Invoked.Add(invocation.Stage.Name);
        }

        return _inner.Run(invocation, cancellationToken);
    }
}
