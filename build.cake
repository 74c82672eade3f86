// NSMT.NET's build: `dotnet tool restore` once, then `dotnet cake [--target=NAME]`.
//
//   Generate -> Train -> Evaluate -> Diagram -> Report    the pipeline, one phase per target (each runs the ones before)
//   Compare   the old name of Report (deprecated: works for this release, with a notice)
//   Default   the whole pipeline on the built-in default experiments (pipeline.yaml: default)
//   Status    which stages would run and exactly why        Dag    the stage graph, as text and Mermaid
//   Test      every test project (build/test.sh)            Bench  the pipeline's hashing benchmark
//   Clean     remove the pipeline's outputs and lock entries (--cache: also the run cache)
//   Sweep     trials of one --experiment: --sweep KEY=a,b,c (grid; repeatable), --sweep-random N over ranges
//             (KEY=lo..hi, log:lo..hi, int:lo..hi), --sweep-trials N (TPE), --sweep-seed, --sweep-metric max:KEY
//
// Arguments: --experiment=NAME (repeatable), --set KEY=VALUE (repeatable; STAGE:KEY=VALUE for one stage),
// --force (rerun even when up to date), --wait (queue behind another run), --no-build (use what is built),
// --jobs=N (independent stages at once), --executor=slurm (each stage an sbatch job; --partition, --account,
// --slurm-arg=OPTION).
// All decisions are Nsmt.Pipeline's (src/Nsmt.Pipeline); this file only wires targets to it.

#load "build/pipeline.cake"

var target = Argument("target", "Default");
string[] pipelineTargets = { "Generate", "Train", "Evaluate", "Diagram", "Report", "Compare", "Default", "Status", "Clean", "Sweep" };

Setup(ctx =>
{
    if (pipelineTargets.Contains(target))
    {
        PipelineStart(lockWorkspace: true, buildStages: target != "Clean");
    }
    else if (target == "Dag")
    {
        PipelineStart(lockWorkspace: !pipelineNoBuild, buildStages: false);
    }
});

Teardown(ctx => PipelineFinish());

Task("Generate").Description("Datasets and captures").Does(() => PipelinePhase("Generate"));
Task("Train").Description("Training runs").IsDependentOn("Generate").Does(() => PipelinePhase("Train"));
Task("Evaluate").Description("Test-set evaluations").IsDependentOn("Train").Does(() => PipelinePhase("Evaluate"));
Task("Diagram").Description("Model diagrams").IsDependentOn("Evaluate").Does(() => PipelinePhase("Diagram"));
Task("Report").Description("The report over all experiments").IsDependentOn("Diagram").Does(() => PipelinePhase("Report"));
// The old name, for one release: the pipeline maps the phase and prints the one-line notice.
Task("Compare").Description("Deprecated: the old name of Report").IsDependentOn("Diagram").Does(() => PipelinePhase("Compare"));
Task("Default").Description("The whole pipeline").IsDependentOn("Report");

Task("Sweep").Description("Trials of one --experiment: --sweep KEY=a,b (grid), --sweep-random N, --sweep-trials N (TPE)").Does(() => PipelineSweep());
Task("Status").Description("Which stages are stale, and why").Does(() => Pipeline("status"));
Task("Dag").Description("The stage graph as text and Mermaid").Does(() => Pipeline("dag"));
Task("Clean").Description("Remove pipeline outputs (--cache: and the run cache)").Does(() => Pipeline("clean", HasArgument("cache") ? new[] { "--cache" } : new string[0]));

Task("Test").Description("Every test project").Does(() =>
{
    if (StartProcess("bash", "build/test.sh") != 0) throw new CakeException("tests failed");
});
Task("Bench").Description("Hashing throughput (bench/pipeline-hash)").Does(() =>
{
    if (StartProcess("bash", "bench/pipeline-hash/run.sh") != 0) throw new CakeException("benchmark failed");
});

RunTarget(target);
