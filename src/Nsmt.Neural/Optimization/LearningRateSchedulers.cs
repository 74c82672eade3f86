using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace Nsmt.Neural.Optimization;

// TorchSharp's schedulers keep their position in private fields and have no state_dict, so a resumed run could not
// continue their sequence exactly. These follow PyTorch's chainable forms (rates equal PyTorch's to 1e-12, tested
// against its fixtures) and save their state as numbers in the checkpoint.

/// <summary>
/// Base of the epoch/step learning-rate schedulers, following PyTorch 1.13's chainable form
/// (each step derives the new rate from the group's current one) so rates match it exactly.
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer, double[]? initialLearningRates = null)
    {
        Optimizer = optimizer;
        Groups = [.. optimizer.ParamGroups];
        BaseLearningRates = initialLearningRates ?? Groups.Select(g => g.LearningRate).ToArray();
    }

    protected Optimizer Optimizer { get; }
    protected IReadOnlyList<ILearningRateController> Groups { get; }
    protected double[] BaseLearningRates { get; }
    public long LastEpoch { get; protected set; } = -1;
    protected long StepCount { get; private set; }

    /// <summary>Call at the end of the constructor of a concrete scheduler (PyTorch's initial step).</summary>
    protected void Initialize() => step();

    public virtual void step()
    {
        StepCount++;
        LastEpoch++;
        var rates = ComputeLearningRates();
        for (var i = 0; i < rates.Length; i++)
        {
            Groups[i].LearningRate = rates[i];
        }
    }

    protected abstract double[] ComputeLearningRates();

    public double[] get_last_lr() => Groups.Select(g => g.LearningRate).ToArray();

    public virtual Dictionary<string, double> state_dict() =>
        new() { ["last_epoch"] = LastEpoch, ["step_count"] = StepCount };

    public virtual void load_state_dict(IReadOnlyDictionary<string, double> state)
    {
        LastEpoch = (long)state["last_epoch"];
        StepCount = (long)state["step_count"];
    }

    protected double[] Current => Groups.Select(g => g.LearningRate).ToArray();
}

public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        if (stepSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "step_size must be >= 1");
        }

        StepSize = stepSize;
        Gamma = gamma;
        Initialize();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    protected override double[] ComputeLearningRates() =>
        LastEpoch == 0 || LastEpoch % StepSize != 0 ? Current : Current.Select(lr => lr * Gamma).ToArray();
}

public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = gamma;
        Initialize();
    }

    public double Gamma { get; }

    protected override double[] ComputeLearningRates() =>
        LastEpoch == 0 ? Current : Current.Select(lr => lr * Gamma).ToArray();
}

public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        if (tMax < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "T_max must be >= 1");
        }

        TMax = tMax;
        EtaMin = etaMin;
        Initialize();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    protected override double[] ComputeLearningRates()
    {
        var current = Current;
        if (LastEpoch == 0)
        {
            return current;
        }

        if ((LastEpoch - 1 - TMax) % (2 * TMax) == 0)
        {
            return current
                .Select((lr, i) => lr + (BaseLearningRates[i] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2)
                .ToArray();
        }

        return current
            .Select(lr =>
                (1 + Math.Cos(Math.PI * LastEpoch / TMax))
                    / (1 + Math.Cos(Math.PI * (LastEpoch - 1) / TMax))
                    * (lr - EtaMin)
                + EtaMin
            )
            .ToArray();
    }
}

/// <summary>
/// The 1cycle policy (two phases, cosine annealing), stepped once per batch. Also cycles momentum
/// (SGD's momentum or Adam's beta1) between 0.85 and 0.95 as PyTorch does by default.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double endStep, double startLr, double endLr, double startMomentum, double endMomentum)[] _phases;

    public OneCycleLR(
        Optimizer optimizer,
        double maxLr,
        int totalSteps,
        double pctStart = 0.3,
        bool cycleMomentum = true,
        double baseMomentum = 0.85,
        double maxMomentum = 0.95,
        double divFactor = 25,
        double finalDivFactor = 1e4
    )
        : base(
            PrepareGroups(optimizer, maxLr, divFactor, cycleMomentum, maxMomentum),
            [.. optimizer.ParamGroups.Select(_ => maxLr / divFactor)]
        )
    {
        if (totalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "total_steps must be >= 1");
        }

        if (pctStart is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pct_start must be in [0, 1]");
        }

        TotalSteps = totalSteps;
        CycleMomentum = cycleMomentum;
        var initialLr = maxLr / divFactor;
        var minLr = initialLr / finalDivFactor;
        _phases =
        [
            (pctStart * totalSteps - 1, initialLr, maxLr, maxMomentum, baseMomentum),
            (totalSteps - 1, maxLr, minLr, baseMomentum, maxMomentum),
        ];
        Initialize();
    }

    public int TotalSteps { get; }
    public bool CycleMomentum { get; }

    private static Optimizer PrepareGroups(
        Optimizer optimizer,
        double maxLr,
        double divFactor,
        bool cycleMomentum,
        double maxMomentum
    )
    {
        foreach (var g in optimizer.ParamGroups)
        {
            g.LearningRate = maxLr / divFactor;
            if (cycleMomentum)
            {
                SetMomentum(g, maxMomentum);
            }
        }
        return optimizer;
    }

    /// <summary>The momentum that 1cycle cycles: SGD's momentum, Adam's and AdamW's beta1 (as PyTorch does).</summary>
    private static void SetMomentum(ILearningRateController group, double momentum)
    {
        switch ((group as ParamGroup)?.Options)
        {
            case Adam.Options adam:
                adam.beta1 = momentum;
                break;
            case AdamW.Options adamW:
                adamW.beta1 = momentum;
                break;
            case SGD.Options sgd:
                sgd.momentum = momentum;
                break;
            default:
                throw new NotSupportedException($"OneCycleLR cannot cycle the momentum of {group.GetType().Name}");
        }
    }

    private static double Anneal(double start, double end, double pct) =>
        end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1);

    protected override double[] ComputeLearningRates()
    {
        if (LastEpoch > TotalSteps)
        {
            throw new InvalidOperationException(
                $"OneCycleLR stepped {LastEpoch} times, more than total_steps = {TotalSteps}"
            );
        }

        var rates = new double[Groups.Count];
        for (var gi = 0; gi < rates.Length; gi++)
        {
            var group = Groups[gi];
            double start = 0;
            for (var i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (LastEpoch <= phase.endStep || i == _phases.Length - 1)
                {
                    var pct = (LastEpoch - start) / (phase.endStep - start);
                    rates[gi] = Anneal(phase.startLr, phase.endLr, pct);
                    if (CycleMomentum)
                    {
                        SetMomentum(group, Anneal(phase.startMomentum, phase.endMomentum, pct));
                    }

                    break;
                }
                start = phase.endStep;
            }
        }
        return rates;
    }
}

/// <summary>Divides the learning rate by 1/factor when a monitored value stops improving for `patience` epochs.</summary>
public sealed class ReduceLROnPlateau
{
    private readonly Optimizer _optimizer;

    public ReduceLROnPlateau(
        Optimizer optimizer,
        string mode = "min",
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        string thresholdMode = "rel",
        int cooldown = 0,
        double minLr = 0,
        double eps = 1e-8
    )
    {
        if (factor >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be < 1");
        }

        if (mode is not ("min" or "max"))
        {
            throw new ArgumentException($"mode must be 'min' or 'max', got '{mode}'", nameof(mode));
        }

        if (thresholdMode is not ("rel" or "abs"))
        {
            throw new ArgumentException(
                $"threshold_mode must be 'rel' or 'abs', got '{thresholdMode}'",
                nameof(thresholdMode)
            );
        }

        this._optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLr = minLr;
        Eps = eps;
        Best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
    }

    public string Mode { get; }
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public string ThresholdMode { get; }
    public int Cooldown { get; }
    public double MinLr { get; }
    public double Eps { get; }
    public double Best { get; private set; }
    public int NumBadEpochs { get; private set; }
    public int CooldownCounter { get; private set; }
    public long LastEpoch { get; private set; }

    private bool IsBetter(double value) =>
        (Mode, ThresholdMode) switch
        {
            ("min", "rel") => value < Best * (1 - Threshold),
            ("min", _) => value < Best - Threshold,
            ("max", "rel") => value > Best * (Threshold + 1),
            _ => value > Best + Threshold,
        };

    public void step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > Patience)
        {
            foreach (var g in _optimizer.ParamGroups)
            {
                var reduced = Math.Max(g.LearningRate * Factor, MinLr);
                if (g.LearningRate - reduced > Eps)
                {
                    g.LearningRate = reduced;
                }
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
    }

    public Dictionary<string, double> state_dict() =>
        new()
        {
            ["best"] = Best,
            ["num_bad_epochs"] = NumBadEpochs,
            ["cooldown_counter"] = CooldownCounter,
            ["last_epoch"] = LastEpoch,
        };

    public void load_state_dict(IReadOnlyDictionary<string, double> state)
    {
        Best = state["best"];
        NumBadEpochs = (int)state["num_bad_epochs"];
        CooldownCounter = (int)state["cooldown_counter"];
        LastEpoch = (long)state["last_epoch"];
    }
}
