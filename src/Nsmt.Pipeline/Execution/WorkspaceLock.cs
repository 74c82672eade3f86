using System.Globalization;
using Nsmt.Core;

namespace Nsmt.Pipeline.Execution;

/// <summary>
/// One pipeline run per workspace at a time: an exclusive lock (flock, released by the kernel if the holder dies,
/// so a killed run never leaves a stale lock) on <c>.cache/pipeline/lock</c>, with the holder described in
/// <c>lock.owner</c> for the error message. A child process started by the holder (the Cake script runs the
/// pipeline CLI once per target) inherits <see cref="TokenVariable"/> and is let through.
/// </summary>
public sealed class WorkspaceLock : IDisposable
{
    public const string TokenVariable = "NSMT_PIPELINE_LOCK_TOKEN";

    private readonly FileStream? _stream;
    private readonly string _ownerFile;

    private WorkspaceLock(FileStream? stream, string ownerFile)
    {
        _stream = stream;
        _ownerFile = ownerFile;
    }

    /// <summary>True when this process holds the lock itself (false: its parent holds it for it).</summary>
    public bool Owned => _stream is not null;

    /// <summary>Takes the lock, failing at once with a clear message when another run holds it, or waiting when asked.</summary>
    public static WorkspaceLock Acquire(
        string lockFile,
        bool wait,
        string command,
        Action<string>? log = null,
        TimeSpan? pollInterval = null
    )
    {
        var ownerFile = lockFile + ".owner";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockFile))!);
        var announced = false;
        while (true)
        {
            try
            {
                var stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var token = Guid.NewGuid().ToString("N");
                var started = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                AtomicFile.WriteAllText(
                    ownerFile,
                    $"pid={Environment.ProcessId}\ntoken={token}\nstarted={started}\ncommand={command}\n"
                );
                Environment.SetEnvironmentVariable(TokenVariable, token);
                return new WorkspaceLock(stream, ownerFile);
            }
            catch (IOException)
            {
                var owner = ReadOwner(ownerFile);
                var inherited = Environment.GetEnvironmentVariable(TokenVariable);
                if (inherited is not null && owner.TryGetValue("token", out var held) && held == inherited)
                {
                    return new WorkspaceLock(null, ownerFile);
                }

                var who =
                    owner.Count == 0
                        ? "another process"
                        : $"pid {owner.GetValueOrDefault("pid", "?")} (`{owner.GetValueOrDefault("command", "?")}`, started {owner.GetValueOrDefault("started", "?")})";
                if (!wait)
                {
                    throw new WorkspaceBusyException(
                        $"another pipeline run is using this workspace: {who} holds {lockFile}. "
                            + "Wait for it to finish, or pass --wait to queue behind it."
                    );
                }

                if (!announced)
                {
                    log?.Invoke($"waiting for {who} to release {lockFile} ...");
                    announced = true;
                }

                Thread.Sleep(pollInterval ?? TimeSpan.FromMilliseconds(250));
            }
        }
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            Environment.SetEnvironmentVariable(TokenVariable, null);
            try
            {
                File.Delete(_ownerFile);
            }
            catch (IOException)
            {
                // The owner file is only informational; the flock is what matters and closing releases it.
            }

            _stream.Dispose();
        }
    }

    private static Dictionary<string, string> ReadOwner(string ownerFile)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadAllLines(ownerFile))
            {
                var eq = line.IndexOf('=');
                if (eq > 0)
                {
                    result[line[..eq]] = line[(eq + 1)..];
                }
            }
        }
        catch (IOException)
        {
            // Written atomically by the holder; missing only in the instant it starts or ends.
        }

        return result;
    }
}
