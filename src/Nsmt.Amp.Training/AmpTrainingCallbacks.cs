using System.Globalization;
using Nsmt.Neural.Optimization;
using Nsmt.Runs;

namespace Nsmt.Amp.Training;

/// <summary>
/// A part of the amp training loop that is not the optimisation itself: weight averaging, checkpointing, early
/// stopping, the time budget (the spectral trainer's config calls these callbacks, after Lightning). The loop calls
/// each hook on every callback in the order they were given, so the order of the list is the order of the effects.
/// </summary>
internal interface IAmpTrainingCallback
{
    /// <summary>After each optimiser step.</summary>
    void OnStepEnd() { }

    /// <summary>The weights to validate (and export) with while the returned scope is open; null: the model's own.</summary>
    IDisposable? ValidationWeights() => null;

    /// <summary>After validation, before the epoch is logged; may change the run's progress (the checkpoint ranking).</summary>
    TrainingProgress OnValidationEnd(TrainingProgress state, bool improved) => state;

    /// <summary>After the epoch is logged: why the run stops now, or null to go on.</summary>
    string? StopReason(TrainingProgress state, double epochSeconds) => null;
}

/// <summary>The callbacks of one run, called in order.</summary>
internal sealed class AmpTrainingCallbacks(IReadOnlyList<IAmpTrainingCallback> callbacks)
{
    public void OnStepEnd()
    {
        foreach (var callback in callbacks)
        {
            callback.OnStepEnd();
        }
    }

    /// <summary>The first callback's validation weights that has any (there is one weight averager at most).</summary>
    public IDisposable? ValidationWeights() =>
        callbacks.Select(c => c.ValidationWeights()).FirstOrDefault(w => w is not null);

    public TrainingProgress OnValidationEnd(TrainingProgress state, bool improved) =>
        callbacks.Aggregate(state, (current, callback) => callback.OnValidationEnd(current, improved));

    /// <summary>The first reason to stop, asking the callbacks in order and no further once one answers.</summary>
    public string? StopReason(TrainingProgress state, double epochSeconds)
    {
        foreach (var callback in callbacks)
        {
            if (callback.StopReason(state, epochSeconds) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }
}

/// <summary>NAM's optional EMA of the weights: updated after every step, validated and exported in place of the raw weights.</summary>
internal sealed class WeightAveraging(WeightAverage average) : IAmpTrainingCallback
{
    public void OnStepEnd() => average.Update();

    public IDisposable? ValidationWeights() => average.Apply();
}

/// <summary>Stops when validation ESR has not improved for <paramref name="patience"/> epochs.</summary>
internal sealed class EarlyStopping(int patience) : IAmpTrainingCallback
{
    public string? StopReason(TrainingProgress state, double epochSeconds) =>
        state.EpochsWithoutImprovement >= patience
            ? $"early stop: no better validation ESR for {patience} epochs"
            : null;
}

/// <summary>
/// The wall-clock budget: reports its use after each epoch but the last, and stops when another epoch at the pace
/// of the last one would end past it.
/// </summary>
internal sealed class TimeBudgetStop(TimeBudget budget, double maxSeconds, int epochs, ProgressReporter progress)
    : IAmpTrainingCallback
{
    public string? StopReason(TrainingProgress state, double epochSeconds)
    {
        if (!budget.Enabled || state.Epoch + 1 >= epochs)
        {
            return null;
        }

        progress.Message(budget.Describe(state.Epoch + 1, state.ElapsedSeconds, epochSeconds, epochs));
        return budget.NextEpochFits(state.ElapsedSeconds, epochSeconds)
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"time budget of {maxSeconds:0.#} s: another epoch of about {epochSeconds:0.#} s would end past it"
            );
    }
}
