using Nsmt.Config;
using Nsmt.Neural.Optimization;
using Nsmt.Spectral.Training.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Spectral.Training.Optimization;

public static class OptimizerFactory
{
    /// <summary>Adam (L2 weight decay, the template's choice), AdamW (decoupled) or SGD from the model config.</summary>
    public static optim.Optimizer Create(OptimizerSettings s, IEnumerable<Parameter> parameters) =>
        s.Name switch
        {
            "adamw" => optim.AdamW(parameters, s.LearningRate, s.Beta1, s.Beta2, s.Eps, s.WeightDecay),
            "sgd" => optim.SGD(
                parameters,
                s.LearningRate,
                s.Momentum,
                weight_decay: s.WeightDecay,
                nesterov: s.Nesterov
            ),
            _ => optim.Adam(parameters, s.LearningRate, s.Beta1, s.Beta2, s.Eps, s.WeightDecay),
        };
}

/// <summary>
/// The learning-rate schedule of a run behind one interface: epoch schedulers step after validation (plateau
/// on its monitor), OneCycle steps after every batch, "none" never changes the rate.
/// </summary>
public sealed class TrainingSchedule
{
    private readonly LRScheduler? _epochScheduler;
    private readonly LRScheduler? _stepScheduler;
    private readonly ReduceLROnPlateau? _plateau;
    private readonly string _monitor;

    public TrainingSchedule(SchedulerSettings s, optim.Optimizer optimizer, int maxEpochs, int stepsPerEpoch)
    {
        _monitor = s.Monitor;
        switch (s.Name)
        {
            case "plateau":
                _plateau = new ReduceLROnPlateau(optimizer, s.Mode, s.Factor, s.Patience, s.Threshold);
                break;
            case "step":
                _epochScheduler = new StepLR(optimizer, s.StepSize, s.Gamma);
                break;
            case "exponential":
                _epochScheduler = new ExponentialLR(optimizer, s.Gamma);
                break;
            case "cosine":
                _epochScheduler = new CosineAnnealingLR(optimizer, s.TMax > 0 ? s.TMax : maxEpochs, s.EtaMin);
                break;
            case "onecycle":
                var maxLr = s.MaxLearningRate > 0 ? s.MaxLearningRate : optimizer.ParamGroups.First().LearningRate;
                _stepScheduler = new OneCycleLR(optimizer, maxLr, maxEpochs * stepsPerEpoch, s.PctStart);
                break;
        }
    }

    public void AfterStep() => _stepScheduler?.step();

    public void AfterEpoch(IReadOnlyDictionary<string, double> metrics)
    {
        _epochScheduler?.step();
        if (_plateau is not null)
        {
            if (!metrics.TryGetValue(_monitor, out var value))
            {
                throw new ConfigException(
                    $"model.scheduler.monitor: '{_monitor}' is not a logged metric; "
                        + $"available: {string.Join(", ", metrics.Keys.Order(StringComparer.Ordinal))}"
                );
            }
            _plateau.step(value);
        }
    }

    public Dictionary<string, double> StateDict() =>
        _plateau?.state_dict() ?? _epochScheduler?.state_dict() ?? _stepScheduler?.state_dict() ?? [];

    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        if (state.Count == 0)
        {
            return;
        }

        if (_plateau is not null)
        {
            _plateau.load_state_dict(state);
        }
        else
        {
            (_epochScheduler ?? _stepScheduler)?.load_state_dict(state);
        }
    }
}
