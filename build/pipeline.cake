// The Cake side of the pipeline, kept to plumbing: build the programs once, hold the workspace lock for the
// whole Cake run, hand each target to the pipeline's command line (src/Nsmt.Pipeline.Cli), and print which
// stages ran, were up to date or were restored. Every decision (up to date, why, cache) is Nsmt.Pipeline's.
//
// The command line rather than #r of the library: it needs no assembly before the script compiles (a fresh
// clone works), and it runs on the project's own runtime and packages, not beside Cake's own copies.
// It is started once per Cake run in serve mode (one command per target on its standard input, a done line
// on its standard error), so the pipeline's start-up is paid once, not once per target.

using System.Diagnostics;

const string PipelineCli = "src/Nsmt.Pipeline.Cli/bin/Release/net10.0/nsmt-pipeline.dll";
const string PipelineCacheDir = ".cache/pipeline";
const string LockTokenVariable = "NSMT_PIPELINE_LOCK_TOKEN"; // same protocol as Nsmt.Pipeline.Execution.WorkspaceLock

var pipelineExperiments = Arguments<string>("experiment", new string[0]).SelectMany(e => e.Split(',')).Where(e => e.Length > 0).ToList();
var pipelineOverrides = Arguments<string>("set", new string[0]).ToList();
var pipelineForce = HasArgument("force");
var pipelineWait = HasArgument("wait");
var pipelineNoBuild = HasArgument("no-build");
// Where stages run: --executor=slurm (one sbatch job per stage), --jobs=N, --partition, --account, --slurm-arg.
var pipelineExecution = new List<string>();
foreach (var name in new[] { "executor", "jobs", "partition", "account" })
{
    if (HasArgument(name))
    {
        pipelineExecution.AddRange(new[] { "--" + name, Argument<string>(name) });
    }
}

pipelineExecution.AddRange(Arguments<string>("slurm-arg", new string[0]).SelectMany(a => new[] { "--slurm-arg", a }));
var pipelineRoot = MakeAbsolute(Directory("./")).FullPath;
var pipelineReport = System.IO.Path.Combine(pipelineRoot, PipelineCacheDir, "cake-report.tsv");
FileStream pipelineLock = null;
Process pipelineServer = null;
// The serve protocol's one definition: the server ends each command's answer with a line DoneMarker + EXITCODE,
// using the marker it is given here (a control character no stage prints).
const string DoneMarker = "\u0001nsmt-pipeline done ";

string PipelinePath(string relative) => System.IO.Path.Combine(pipelineRoot, relative);

/// Takes the workspace lock (flock; released by the kernel if this process dies) and builds what will run.
void PipelineStart(bool lockWorkspace, bool buildStages)
{
    if (lockWorkspace)
    {
        pipelineLock = AcquireWorkspaceLock();
        if (System.IO.File.Exists(pipelineReport))
        {
            System.IO.File.Delete(pipelineReport);
        }
    }

    if (pipelineNoBuild)
    {
        return;
    }

    var project = buildStages ? "build/pipeline-programs.proj" : "src/Nsmt.Pipeline.Cli/Nsmt.Pipeline.Cli.csproj";
    var clock = Stopwatch.StartNew();
    int exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("build").AppendQuoted(project).Append("-c Release -nologo -v quiet"),
        WorkingDirectory = pipelineRoot,
    });
    if (exit != 0)
    {
        throw new CakeException($"building {project} failed (exit code {exit})");
    }

    Information($"Built {(buildStages ? "the pipeline and its stage programs" : "the pipeline command line")} in {clock.Elapsed.TotalSeconds:F1} s");
}

/// Runs the pipeline command line: `run --phase X`, `status`, `dag`, `clean`, with the run's experiments and overrides.
void Pipeline(string command, params string[] extra)
{
    var args = new ProcessArgumentBuilder().AppendQuoted(PipelineCli).Append(command);
    foreach (var e in pipelineExperiments)
    {
        args.Append("--experiment").AppendQuoted(e);
    }

    if (command != "dag" && command != "clean")
    {
        foreach (var o in pipelineOverrides)
        {
            args.Append("--set").AppendQuoted(o);
        }
    }

    foreach (var x in extra)
    {
        args.AppendQuoted(x);
    }

    if (command == "status" || command == "clean")
    {
        foreach (var x in pipelineExecution)
        {
            args.AppendQuoted(x);
        }
    }

    if (!System.IO.File.Exists(PipelinePath(PipelineCli)))
    {
        throw new CakeException($"{PipelineCli} is not built; run without --no-build");
    }

    int exit = StartProcess("dotnet", new ProcessSettings { Arguments = args, WorkingDirectory = pipelineRoot });
    if (exit != 0)
    {
        throw new CakeException($"nsmt-pipeline {command} failed (exit code {exit}); see the messages above");
    }
}

/// Runs a sweep (grid, --sweep-random N or --sweep-trials N) of the one --experiment in the pipeline server.
void PipelineSweep()
{
    var command = new List<string> { "sweep", "--report", pipelineReport };
    command.AddRange(Arguments<string>("sweep", new string[0]).SelectMany(s => new[] { "--sweep", s }));
    foreach (var name in new[] { "sweep-random", "sweep-trials", "sweep-seed", "sweep-metric", "sweep-name" })
    {
        if (HasArgument(name))
        {
            command.AddRange(new[] { "--" + name, Argument<string>(name) });
        }
    }

    PipelineServe(command, "Sweep");
}

/// Runs the stages of one phase (and whatever they need that is not up to date) in the pipeline server.
void PipelinePhase(string phase) => PipelineServe(new List<string> { "run", "--phase", phase, "--report", pipelineReport }, phase);

/// Sends one command to the pipeline server (started on first use), adding the run's experiments, overrides and executor.
void PipelineServe(List<string> command, string label)
{
    command.AddRange(pipelineExperiments.SelectMany(e => new[] { "--experiment", e }));
    command.AddRange(pipelineOverrides.SelectMany(o => new[] { "--set", o }));
    if (pipelineForce)
    {
        command.Add("--force");
    }

    command.AddRange(pipelineExecution);

    if (pipelineServer == null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = pipelineRoot, UseShellExecute = false, RedirectStandardInput = true, RedirectStandardError = true };
        start.ArgumentList.Add(PipelinePath(PipelineCli));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--done-marker");
        start.ArgumentList.Add(DoneMarker);
        pipelineServer = Process.Start(start);
    }

    pipelineServer.StandardInput.WriteLine(string.Join("\t", command));
    pipelineServer.StandardInput.Flush();
    string line;
    while ((line = pipelineServer.StandardError.ReadLine()) != null && !line.StartsWith(DoneMarker))
    {
        Console.Error.WriteLine(line); // the pipeline's and the stages' messages
    }

    if (line == null)
    {
        pipelineServer.WaitForExit();
        throw new CakeException($"the pipeline command line exited unexpectedly (exit code {pipelineServer.ExitCode})");
    }

    int exit = int.Parse(line.Substring(DoneMarker.Length));
    if (exit != 0)
    {
        throw new CakeException($"{label}: the pipeline stopped (exit code {exit}); see the messages above");
    }
}

/// The stage table: each stage of this run marked ran, skipped (up to date), restored (cache) or failed.
void PipelineFinish()
{
    try
    {
        // Only a run that holds the workspace lock wrote (and cleared) the report: a run refused because another
        // holds the workspace must not print that run's stages as its own.
        if (pipelineLock != null && System.IO.File.Exists(pipelineReport))
        {
            var rows = System.IO.File.ReadAllLines(pipelineReport).Select(l => l.Split('\t')).Where(f => f.Length >= 5).ToList();
            int width = Math.Max(20, rows.Max(r => r[0].Length) + 2);
            Console.WriteLine();
            Console.WriteLine($"{"Stage".PadRight(width)}{"Phase",-10}{"Result",-22}{"Time",9}");
            Console.WriteLine(new string('-', width + 41));
            foreach (var r in rows)
            {
                Console.WriteLine($"{r[0].PadRight(width)}{r[1],-10}{r[2],-22}{r[3] + " s",9}");
            }

            Console.WriteLine(new string('-', width + 41));
            Console.WriteLine($"{rows.Count(r => r[2] == "ran")} ran, {rows.Count(r => r[2].StartsWith("skipped"))} skipped (up to date), "
                + $"{rows.Count(r => r[2].StartsWith("restored"))} restored (cache), {rows.Count(r => r[2] == "failed")} failed");
        }
    }
    finally
    {
        if (pipelineServer != null)
        {
            pipelineServer.StandardInput.Close();
            pipelineServer.WaitForExit();
        }

        if (pipelineLock != null)
        {
            Environment.SetEnvironmentVariable(LockTokenVariable, null);
            System.IO.File.Delete(PipelinePath(PipelineCacheDir + "/lock.owner"));
            pipelineLock.Dispose();
        }
    }
}

FileStream AcquireWorkspaceLock()
{
    var lockFile = PipelinePath(PipelineCacheDir + "/lock");
    var ownerFile = lockFile + ".owner";
    System.IO.Directory.CreateDirectory(PipelinePath(PipelineCacheDir));
    bool announced = false;
    while (true)
    {
        try
        {
            var stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var token = Guid.NewGuid().ToString("N");
            var started = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            var command = "dotnet cake " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1));
            System.IO.File.WriteAllText(ownerFile + ".tmp", $"pid={Environment.ProcessId}\ntoken={token}\nstarted={started}\ncommand={command}\n");
            System.IO.File.Move(ownerFile + ".tmp", ownerFile, true);
            Environment.SetEnvironmentVariable(LockTokenVariable, token);
            return stream;
        }
        catch (IOException)
        {
            var owner = System.IO.File.Exists(ownerFile)
                ? System.IO.File.ReadAllLines(ownerFile).Where(l => l.Contains('=')).ToDictionary(l => l.Substring(0, l.IndexOf('=')), l => l.Substring(l.IndexOf('=') + 1))
                : new Dictionary<string, string>();
            var who = owner.Count == 0 ? "another process"
                : $"pid {owner.GetValueOrDefault("pid", "?")} (`{owner.GetValueOrDefault("command", "?")}`, started {owner.GetValueOrDefault("started", "?")})";
            if (!pipelineWait)
            {
                throw new CakeException($"another pipeline run is using this workspace: {who} holds {PipelineCacheDir}/lock. Wait for it to finish, or pass --wait to queue behind it.");
            }

            if (!announced)
            {
                Information($"Waiting for {who} to release {PipelineCacheDir}/lock ...");
                announced = true;
            }

            System.Threading.Thread.Sleep(250);
        }
    }
}
