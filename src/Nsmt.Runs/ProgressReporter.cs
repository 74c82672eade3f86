using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nsmt.Runs;

/// <summary>
/// Training progress for people: a live bar (epoch, step, loss, samples/s) redrawn in place on a terminal,
/// or one line per epoch when output is redirected or CI=true, so logs stay readable.
/// </summary>
public abstract class ProgressReporter
{
    /// <summary>The reporter that suits the current console: live on a terminal, line-per-epoch when asked for
    /// (<paramref name="plain"/>: a stage's --plain), output is redirected or CI=true.</summary>
    public static ProgressReporter ForConsole(bool plain = false)
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        return !plain && !ci && !Console.IsOutputRedirected
            ? new LiveProgress(Console.Out)
            : new LineProgress(Console.Out);
    }

    public static ProgressReporter Silent { get; } = new SilentProgress();

    public abstract void EpochStarted(int epoch, int maxEpochs, int stepsInEpoch);

    public abstract void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond);

    public abstract void EpochCompleted(
        int epoch,
        IReadOnlyDictionary<string, double> metrics,
        double samplesPerSecond,
        TimeSpan duration
    );

    public virtual void Message(string text) { }

    /// <summary>The few metrics worth a glance: losses, mean accuracy and the per-head accuracies/MAEs.</summary>
    protected static string Summarise(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(
            "  ",
            metrics
                .Where(m =>
                    m.Key is "train/loss" or "val/loss" or "val/acc"
                    || m.Key.StartsWith("val/", StringComparison.Ordinal)
                        && (
                            m.Key.EndsWith("_acc", StringComparison.Ordinal)
                            || m.Key.EndsWith("_mae", StringComparison.Ordinal)
                        )
                )
                .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.####}"))
        );

    private sealed class SilentProgress : ProgressReporter
    {
        public override void EpochStarted(int epoch, int maxEpochs, int stepsInEpoch) { }

        public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond) { }

        public override void EpochCompleted(
            int epoch,
            IReadOnlyDictionary<string, double> metrics,
            double samplesPerSecond,
            TimeSpan duration
        ) { }
    }
}

/// <summary>One line per epoch (CI logs, redirected output).</summary>
public sealed class LineProgress(TextWriter output) : ProgressReporter
{
    private int _maxEpochs;

    public override void EpochStarted(int epoch, int maxEpochs, int stepsInEpoch) => this._maxEpochs = maxEpochs;

    public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond) { }

    public override void EpochCompleted(
        int epoch,
        IReadOnlyDictionary<string, double> metrics,
        double samplesPerSecond,
        TimeSpan duration
    ) =>
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {epoch + 1}/{_maxEpochs}  {Summarise(metrics)}  {samplesPerSecond:0} samples/s  {duration.TotalSeconds:0.0}s"
            )
        );

    public override void Message(string text) => output.WriteLine(text);
}

/// <summary>A bar redrawn in place at most ten times a second.</summary>
public sealed class LiveProgress(TextWriter output) : ProgressReporter
{
    private const int BarWidth = 24;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private int _epoch;
    private int _maxEpochs;
    private int _steps;

    public override void EpochStarted(int epoch, int maxEpochs, int stepsInEpoch)
    {
        this._epoch = epoch;
        this._maxEpochs = maxEpochs;
        _steps = stepsInEpoch;
    }

    public override void StepCompleted(int stepInEpoch, double loss, double samplesPerSecond)
    {
        if (_sinceDraw.ElapsedMilliseconds < 100 && stepInEpoch + 1 < _steps)
        {
            return;
        }

        _sinceDraw.Restart();
        var filled = _steps == 0 ? BarWidth : (int)((long)(stepInEpoch + 1) * BarWidth / _steps);
        var bar = new StringBuilder().Append('[').Append('#', filled).Append('.', BarWidth - filled).Append(']');
        output.Write(
            string.Create(
                CultureInfo.InvariantCulture,
                $"\repoch {_epoch + 1}/{_maxEpochs} {bar} {stepInEpoch + 1}/{_steps}  loss {loss:0.0000}  {samplesPerSecond:0} samples/s   "
            )
        );
    }

    public override void EpochCompleted(
        int epoch,
        IReadOnlyDictionary<string, double> metrics,
        double samplesPerSecond,
        TimeSpan duration
    ) =>
        output.WriteLine(
            "\r"
                + string.Create(
                        CultureInfo.InvariantCulture,
                        $"epoch {epoch + 1}/{_maxEpochs}  {Summarise(metrics)}  {samplesPerSecond:0} samples/s  {duration.TotalSeconds:0.0}s"
                    )
                    .PadRight(100)
        );

    public override void Message(string text) => output.WriteLine(text);
}
