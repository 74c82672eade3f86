using Nsmt.Pipeline.Execution;

namespace Nsmt.Pipeline.Tests;

/// <summary>
/// Stand-ins for sbatch, squeue and sacct (small shell scripts) whose answers the test sets: what the queue lists,
/// what accounting says, and when squeue answers, so that orderings a real cluster gives only by chance (a job
/// submitted while squeue answers, a status file that a shared file system shows late) happen every time. Jobs never
/// run: the test writes their status file, as a job's wrapper does.
/// </summary>
internal sealed class FakeSlurm : IDisposable
{
    // Every job is a file queue/ID holding its squeue line ("ID|STATE|WAIT_STATUS|", the executor's -O format).
    private const string SbatchScript = """
        #!/bin/bash
        d=$(dirname "$0")
        exec 9>"$d/next.lock"; flock 9
        id=$(cat "$d/next" 2>/dev/null || echo 100)
        echo $((id + 1)) > "$d/next"
        printf '%s|PENDING|0|\n' "$id" > "$d/queue/$id"
        echo "$id"
        """;

    // Reads the queue, then (while the file "hold" exists) waits before answering with what it read.
    private const string SqueueScript = """
        #!/bin/bash
        d=$(dirname "$0")
        snapshot=$(cat "$d"/queue/* 2>/dev/null)
        if [ -f "$d/hold" ]; then
          touch "$d/held"
          while [ -f "$d/hold" ]; do sleep 0.01; done
        fi
        printf '%s\n' "$snapshot"
        """;

    // Accounting: accounts/ID holds the record; without the file "accounting", accounting is disabled (as on a
    // cluster without slurmdbd, and as real sacct says it).
    private const string SacctScript = """
        #!/bin/bash
        d=$(dirname "$0")
        while [ $# -gt 0 ]; do [ "$1" = -j ] && id=$2; shift; done
        if [ ! -f "$d/accounting" ]; then echo "Slurm accounting storage is disabled" >&2; exit 1; fi
        cat "$d/accounts/$id" 2>/dev/null
        exit 0
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nsmt-fake-slurm", Guid.NewGuid().ToString("N"));

    public FakeSlurm()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "queue"));
        Directory.CreateDirectory(Path.Combine(_dir, "accounts"));
        Program("sbatch", SbatchScript);
        Program("squeue", SqueueScript);
        Program("sacct", SacctScript);
    }

    /// <summary>squeue has read the queue and waits for <see cref="ReleaseSqueue"/> to answer.</summary>
    public bool SqueueHeld => File.Exists(Path.Combine(_dir, "held"));

    public SlurmOptions Options(TimeSpan statusFileTimeout) =>
        new()
        {
            Sbatch = Path.Combine(_dir, "sbatch"),
            Squeue = Path.Combine(_dir, "squeue"),
            Sacct = Path.Combine(_dir, "sacct"),
            Scancel = "true",
            PollInterval = TimeSpan.FromSeconds(0.05),
            StatusFileTimeout = statusFileTimeout,
        };

    public void List(string id, string state, int waitStatus = 0) =>
        File.WriteAllText(Path.Combine(_dir, "queue", id), $"{id}|{state}|{waitStatus}|\n");

    /// <summary>squeue no longer lists the job (the controller forgot it, as it does MinJobAge after its end).</summary>
    public void Forget(string id) => File.Delete(Path.Combine(_dir, "queue", id));

    /// <summary>Accounting is enabled, and holds <paramref name="record"/> (sacct -P State|ExitCode, or nothing yet).</summary>
    public void Account(string id, string record)
    {
        File.WriteAllText(Path.Combine(_dir, "accounting"), string.Empty);
        File.WriteAllText(Path.Combine(_dir, "accounts", id), record.Length == 0 ? string.Empty : record + "\n");
    }

    public void HoldSqueue() => File.WriteAllText(Path.Combine(_dir, "hold"), string.Empty);

    public void ReleaseSqueue() => File.Delete(Path.Combine(_dir, "hold"));

    /// <summary>What the job's wrapper writes as its last act: the program's exit code, by rename.</summary>
    public static void WriteStatus(SlurmJob job, int code)
    {
        File.WriteAllText(job.StatusFile + ".tmp", $"{code}\n");
        File.Move(job.StatusFile + ".tmp", job.StatusFile);
    }

    public void Dispose()
    {
        ReleaseSqueue();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private void Program(string name, string script)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, script.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows()) // Slurm, and so this stand-in, is for Unix-like systems only
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
