using Nsmt.Neural.Optimization;
using TorchSharp.Modules;
using TorchSharp;
using Nsmt.Spectral.Training.Config;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Optimization;

public static class OptimizerFactory
{
    /// <summary>Adam (L2 weight decay, the template's choice), AdamW (decoupled) or SGD from the model config.</summary>
    public static optim.Optimizer Create(OptimizerSettings s, IEnumerable<Parameter> parameters) => s.Name switch
    {
        "adamw" => optim.AdamW(parameters, s.LearningRate, s.Beta1, s.Beta2, s.Eps, s.WeightDecay),
        "sgd" => optim.SGD(parameters, s.LearningRate, s.Momentum, weight_decay: s.WeightDecay, nesterov: s.Nesterov),
        _ => optim.Adam(parameters, s.LearningRate, s.Beta1, s.Beta2, s.Eps, s.WeightDecay),
    };
}

/// <summary>
/// The learning-rate schedule of a run behind one interface: epoch schedulers step after validation (plateau
/// on its monitor), OneCycle steps after every batch, "none" never changes the rate.
/// </summary>
public sealed class TrainingSchedule
{
    private readonly LRScheduler? epochScheduler;
    private readonly LRScheduler? stepScheduler;
    private readonly ReduceLROnPlateau? plateau;
    private readonly string monitor;

    public TrainingSchedule(SchedulerSettings s, optim.Optimizer optimizer, int maxEpochs, int stepsPerEpoch)
    {
        monitor = s.Monitor;
        switch (s.Name)
        {
            case "plateau":
                plateau = new ReduceLROnPlateau(optimizer, s.Mode, s.Factor, s.Patience, s.Threshold);
                break;
            case "step":
                epochScheduler = new StepLR(optimizer, s.StepSize, s.Gamma);
                break;
            case "exponential":
                epochScheduler = new ExponentialLR(optimizer, s.Gamma);
                break;
            case "cosine":
                epochScheduler = new CosineAnnealingLR(optimizer, s.TMax > 0 ? s.TMax : maxEpochs, s.EtaMin);
                break;
            case "onecycle":
                var maxLr = s.MaxLearningRate > 0 ? s.MaxLearningRate : optimizer.ParamGroups.First().LearningRate;
                stepScheduler = new OneCycleLR(optimizer, maxLr, maxEpochs * stepsPerEpoch, s.PctStart);
                break;
        }
    }

    public void AfterStep() => stepScheduler?.step();

    public void AfterEpoch(IReadOnlyDictionary<string, double> metrics)
    {
        epochScheduler?.step();
        if (plateau is not null)
        {
            if (!metrics.TryGetValue(monitor, out var value))
            {
                throw new ConfigException($"model.scheduler.monitor: '{monitor}' is not a logged metric; " +
                    $"available: {string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal))}");
            }
            plateau.step(value);
        }
    }

    public Dictionary<string, double> StateDict() =>
        plateau?.state_dict() ?? epochScheduler?.state_dict() ?? stepScheduler?.state_dict() ?? [];

    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        if (state.Count == 0)
            return;
        if (plateau is not null)
            plateau.load_state_dict(state);
        else
            (epochScheduler ?? stepScheduler)?.load_state_dict(state);
    }
}
