using Nsmt.Amp.Keras;
using Nsmt.Core;
using Nsmt.Neural.Engine;
using Nsmt.Neural.IO;
using Nsmt.Neural.Training;
using Nsmt.Runs;
using static TorchSharp.torch;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>Validation ESR of one setting (on its held-out validation passage).</summary>
public sealed record SettingEsr(KnobSetting Setting, bool HeldOut, double Esr);

/// <summary>What a knob training produced.</summary>
public sealed record KnobTrainingResult(
    string OutputDirectory,
    IReadOnlyList<SettingEsr> Esr,
    int BestEpoch,
    int Epochs,
    double ElapsedSeconds,
    string ModelPath
)
{
    public double WorstTrained => Esr.Where(e => !e.HeldOut).Max(e => e.Esr);

    public double WorstHeldOut => Esr.Where(e => e.HeldOut).Select(e => e.Esr).DefaultIfEmpty(double.NaN).Max();

    /// <summary>Why the run stopped (all epochs, early stopping, the time budget).</summary>
    public string StopReason { get; init; } = "";
}

/// <summary>
/// Trains a <see cref="Modules.KnobModule"/> (conditioned LSTM/GRU or knob WaveNet) on a knob capture set on the shared
/// <see cref="TrainingLoop"/> (domain <see cref="KnobTraining"/>): the amp recipe's Adam + ExponentialLR, loss,
/// gradient clipping, weight averaging (training.ema_decay), best/top-k/last checkpoints ranked by the mean validation
/// ESR over the trained settings, early stopping, the time budget, metrics.csv/TensorBoard/console and exact resume.
/// Writes config.yaml (with its knobs: section), model.json (AIDA-X; a knob WaveNet: knob_wavenet.json) and
/// knob_esr.csv of the best epoch, summary.json and, from the best checkpoint, the <see cref="KnobEvaluation"/>
/// figures and clips.
/// </summary>
public sealed class KnobTrainer(
    KnobTrainConfig config,
    IReadOnlyList<KnobCapture> captures,
    string outputDirectory,
    ProgressReporter? progress = null
)
{
    private readonly ProgressReporter _progress = progress ?? ProgressReporter.Silent;

    /// <summary>Trains from scratch, or continues from checkpoints/last.ckpt when <paramref name="resume"/> is set.</summary>
    /// <remarks>
    /// Cancelling stops at the next step (<see cref="OperationCanceledException"/>); the interrupted epoch is not saved,
    /// so a resume repeats it from the last checkpoint.
    /// </remarks>
    public KnobTrainingResult Run(bool resume = false, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(captures);
        var t = config.Amp.Training;
        // Threads, the engine self-check (CPU and the chosen device), the device and deterministic algorithms.
        var device = TrainingEngine.Prepare(t.Engine);
        manual_seed(config.Amp.Seed);
        var run = RunDirectory.At(outputDirectory);
        using var domain = new KnobTraining(config, captures, run, device);
        using var checkpoint = resume ? TrainingCheckpoint.Load(run.LastCheckpoint, KnobTraining.Domain) : null;
        // Before config.yaml is written.
        if (checkpoint?.State.NothingToTrain(t.Epochs, "training.epochs") is { } nothing)
        {
            throw new NsmtInputException(run.ConfigFile, "training.epochs", nothing);
        }

        _progress.Message(
            $"knob model: {config.ModelName}, knobs {string.Join(", ", config.Ranges.Select(r => $"{r.Name} {r.Minimum:0.##}..{r.Maximum:0.##}"))}; "
                + $"{domain.TrainedSettings} settings trained ({domain.WindowCount} windows), {captures.Count - domain.TrainedSettings} held out"
        );
        var outcome = new TrainingLoop(
            // best.ckpt too: the evaluation and summary.json read the best epoch's model from it in any session.
            AmpTrainer.LoopSettings(t, KnobTraining.Monitor) with
            {
                SaveBest = true,
            },
            _progress
        ).Run(domain, run, device, checkpoint, cancellation);

        // The best epoch's model, as its checkpoint holds it (averaged where the run averages), for the evaluation.
        using var best = TrainingCheckpoint.Load(run.BestCheckpoint, KnobTraining.Domain);
        StateDicts.Load(domain.Module, best.Model, strict: true, origin: best.Path);
        var esr = KnobTraining.SettingEsrOf(best);
        KnobEvaluation.Write(domain.Module, captures, esr, run.Path);
        return new KnobTrainingResult(
            run.Path,
            esr,
            outcome.State.BestEpoch + 1,
            outcome.State.EpochsCompleted,
            outcome.State.ElapsedSeconds,
            domain.ModelPath
        )
        {
            StopReason = outcome.StopReason,
        };
    }
}
