using Nsmt.Config;
using Nsmt.Neural.Engine;
using Nsmt.Spectral.Models;

namespace Nsmt.Spectral.Training.Config;

/// <summary>How the heads are trained and read (the template's output modes).</summary>
public enum OutputMode
{
    Classification,
    Ordinal,
    QuantizedRegression,
    Regression,
    WeightedCrossEntropy,
    SoftTargets,
}

/// <summary>Where the dataset comes from: a generator config (generated on first use) and the dataset directory.</summary>
public sealed record DataSettings(string Generator, int? Size, string Directory, int BatchSize)
{
    /// <summary>data.auxiliary_features: scalars measured per record and fed to the network beside the image (none = []).</summary>
    public IReadOnlyList<string> AuxiliaryFeatures { get; init; } = [];

    /// <summary>Where data.dir was set (a config file or a command-line override): decides where it may point.</summary>
    public string? DirectoryOrigin { get; init; }
}

public sealed record LossSettings(
    string Distance,
    double Alpha,
    double Power,
    double Base,
    string SoftShape,
    int SoftWidth,
    double SoftSigma,
    double LabelSmoothing
);

public sealed record OptimizerSettings(
    string Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Eps,
    double Momentum,
    bool Nesterov
);

public sealed record SchedulerSettings(
    string Name,
    string Monitor,
    string Mode,
    double Factor,
    int Patience,
    double Threshold,
    int StepSize,
    double Gamma,
    int TMax,
    double EtaMin,
    double MaxLearningRate,
    double PctStart
);

public sealed record ModelSettings(
    NetworkSpec Network,
    OutputMode Mode,
    LossSettings Loss,
    IReadOnlyDictionary<string, double> HeadWeights,
    OptimizerSettings Optimizer,
    SchedulerSettings Scheduler
)
{
    public HeadKind HeadKind =>
        Mode switch
        {
            OutputMode.Regression => HeadKind.Regression,
            OutputMode.QuantizedRegression => HeadKind.Scalar,
            _ => HeadKind.Classification,
        };
}

/// <summary>Loop settings (Lightning's Trainer arguments); min_epochs above max_epochs is an error where both are set together or min_epochs on the command line (else, as in Lightning, max_epochs wins).</summary>
public sealed record TrainerSettings(
    int MinEpochs,
    int MaxEpochs,
    double GradientClipValue,
    string GradientClipAlgorithm,
    int LimitTrainBatches,
    int LimitValBatches,
    int Threads,
    bool Deterministic,
    int LogEveryNSteps,
    OneDnnMode OneDnn
)
{
    /// <summary>trainer.accelerator: auto | cpu | cuda | cuda:N | mps (<see cref="TrainingDevice"/>).</summary>
    public string Accelerator { get; init; } = "auto";

    /// <summary>trainer.precision: 32-true (32) | bf16-mixed (<see cref="TrainingPrecision"/>).</summary>
    public PrecisionMode Precision { get; init; }

    /// <summary>trainer.float32_matmul_precision: high (TF32 on CUDA) | highest.</summary>
    public MatmulPrecision MatmulPrecision { get; init; }

    /// <summary>The engine keys as every trainer reads them.</summary>
    public EngineSettings Engine =>
        new("trainer.", Accelerator, Deterministic, OneDnn, Threads)
        {
            Precision = Precision,
            MatmulPrecision = MatmulPrecision,
        };
}

public sealed record CheckpointSettings(string Monitor, string Mode, bool SaveLast);

public sealed record EarlyStoppingSettings(bool Enabled, string Monitor, string Mode, int Patience, double MinDelta);

public sealed record LoggerSettings(bool Csv, bool TensorBoard);

/// <summary>An exponential moving average of the weights (0 = off), used for validation and checkpoints.</summary>
public sealed record WeightAveragingSettings(double Decay)
{
    public bool Enabled => Decay > 0;
}

/// <summary>A fully composed and validated training config.</summary>
public sealed record TrainConfig(
    string TaskName,
    long Seed,
    IReadOnlyList<string> Tags,
    DataSettings Data,
    ModelSettings Model,
    TrainerSettings Trainer,
    CheckpointSettings Checkpoint,
    EarlyStoppingSettings EarlyStopping,
    LoggerSettings Logger,
    string LogDir,
    ConfigMapping Resolved
)
{
    /// <summary>callbacks.weight_averaging; absent from the shipped configs, so their resolved configs are unchanged.</summary>
    public WeightAveragingSettings WeightAveraging { get; init; } = new(0);

    /// <summary>Composes <c>train.yaml</c> + experiment + overrides and validates every key.</summary>
    public static TrainConfig Load(string configRoot, string? experiment, IEnumerable<string>? overrides = null) =>
        Bind(new ConfigComposer(configRoot).Compose(experiment, overrides ?? []));

    /// <summary>What <see cref="Load"/> reads, file by file, for the pipeline's fingerprint (the same composition and binder).</summary>
    public static ConfigReads ReadsOf(string configRoot, string? experiment, IEnumerable<string>? overrides = null) =>
        ConfigReads.Of(Binding(new ConfigComposer(configRoot).Compose(experiment, overrides ?? [])).Reader);

    /// <summary>Reads a resolved config written by a run (config.yaml) back.</summary>
    public static TrainConfig FromResolvedYaml(string yaml, string origin, IEnumerable<string>? overrides = null)
    {
        var root = ConfigYaml.Parse(yaml, origin);
        foreach (var o in overrides ?? [])
        {
            ConfigOverride.Parse(o).ApplyTo(root);
        }
        // A run's record holds min_epochs and max_epochs side by side as the run resolved them (max_epochs may have been
        // lowered on its command line): judged again only where an override here sets min_epochs.
        return Binding(root, resolved: true).Config;
    }

    public string ResolvedYaml => ConfigYaml.Write(Resolved);

    /// <summary>Where paths.log_dir was set: a config's log folder must stay inside the workspace.</summary>
    public string? LogDirOrigin { get; init; }

    public static TrainConfig Bind(ConfigMapping root) => Binding(root).Config;

    private static (TrainConfig Config, ConfigReader Reader) Binding(ConfigMapping root, bool resolved = false)
    {
        var r = new ConfigReader(root);
        r.OpenMapping("choices");
        var config = new TrainConfig(
            r.String("task_name", "train"),
            r.Long("seed", 12345, 0),
            r.StringList("tags"),
            new DataSettings(
                r.String("data.generator", "configs/synth/simple_saw.yaml"),
                r.Scalar("data.size") is null ? null : r.Int("data.size", 0, 2),
                r.String("data.dir", "data/simple_saw"),
                r.Int("data.batch_size", 128, 1)
            )
            {
                DirectoryOrigin = r.Scalar("data.dir")?.Origin,
                AuxiliaryFeatures = AuxiliaryFeatureNames(r),
            },
            BindModel(r),
            new TrainerSettings(
                r.Int("trainer.min_epochs", 1, 0),
                r.Int("trainer.max_epochs", 10, 1),
                r.Double("trainer.gradient_clip_val", 0, 0),
                r.Choice("trainer.gradient_clip_algorithm", "norm", "norm", "value"),
                r.Int("trainer.limit_train_batches", 0, 0),
                r.Int("trainer.limit_val_batches", 0, 0),
                r.Int("trainer.threads", 0, 0),
                r.Bool("trainer.deterministic", true),
                r.Int("trainer.log_every_n_steps", 10, 1),
                EngineGuard.Parse(r.Choice("trainer.onednn", "auto", "auto", "on", "off"), "trainer.onednn")
            )
            {
                Accelerator = Accelerator(r, "trainer.accelerator"),
                Precision = TrainingPrecision.Parse(
                    r.Choice("trainer.precision", "32-true", TrainingPrecision.Choices),
                    "trainer.precision"
                ),
                MatmulPrecision = TrainingPrecision.ParseMatmul(
                    r.Choice("trainer.float32_matmul_precision", "high", TrainingPrecision.MatmulChoices),
                    "trainer.float32_matmul_precision"
                ),
            },
            new CheckpointSettings(
                r.String("callbacks.model_checkpoint.monitor", "val/acc"),
                r.Choice("callbacks.model_checkpoint.mode", "max", "min", "max"),
                r.Bool("callbacks.model_checkpoint.save_last", true)
            ),
            new EarlyStoppingSettings(
                r.Bool("callbacks.early_stopping.enabled", true),
                r.String("callbacks.early_stopping.monitor", "val/acc"),
                r.Choice("callbacks.early_stopping.mode", "max", "min", "max"),
                r.Int("callbacks.early_stopping.patience", 100, 1),
                r.Double("callbacks.early_stopping.min_delta", 0, 0)
            ),
            new LoggerSettings(r.Bool("logger.csv", true), r.Bool("logger.tensorboard", true)),
            r.String("paths.log_dir", "logs"),
            root
        )
        {
            LogDirOrigin = r.Scalar("paths.log_dir")?.Origin,
            WeightAveraging = new WeightAveragingSettings(r.Double("callbacks.weight_averaging.decay", 0, 0, 0.999999)),
        };
        // Lightning lets max_epochs win silently. Lowering max_epochs alone for a short run still does (the usual
        // `trainer.max_epochs=2` on an experiment with min_epochs: 5); a minimum above the maximum where both are
        // written together, or a minimum given on the command line, is a mistake in one of them.
        if (
            config.Trainer.MinEpochs > config.Trainer.MaxEpochs
            && MinimumGivenWithMaximum(r.Scalar("trainer.min_epochs"), r.Scalar("trainer.max_epochs"), resolved)
        )
        {
            throw r.Error(
                "trainer.min_epochs",
                $"an integer <= trainer.max_epochs ({config.Trainer.MaxEpochs})",
                $"'{config.Trainer.MinEpochs}'",
                r.Scalar("trainer.min_epochs")
            );
        }
        r.RejectUnknown();
        return (config, r);
    }

    private static string Accelerator(ConfigReader r, string key) =>
        TrainingDevice.Validate(r.String(key, "auto"), key, r.Scalar(key)?.Origin);

    private static bool MinimumGivenWithMaximum(ConfigScalar? min, ConfigScalar? max, bool resolved)
    {
        if (min is null)
        {
            return false;
        }

        if (ConfigOverride.IsOverride(min.Origin))
        {
            return true;
        }

        if (resolved)
        {
            return false;
        }

        static string File(string origin) =>
            System.Text.RegularExpressions.Regex.Replace(origin, ":[0-9]+:[0-9]+$", "");
        return max is not null && File(min.Origin) == File(max.Origin);
    }

    private static IReadOnlyList<string> AuxiliaryFeatureNames(ConfigReader r)
    {
        var names = r.StringList("data.auxiliary_features");
        foreach (var name in names)
        {
            if (!Nsmt.Spectral.Data.Features.AuxiliaryFeatures.Names.Contains(name))
            {
                throw new ConfigException(
                    $"field 'data.auxiliary_features': "
                        + $"unknown feature '{name}'{Nsmt.Core.NearestName.Suggestion(name, Nsmt.Spectral.Data.Features.AuxiliaryFeatures.Names)}; "
                        + $"expected any of {string.Join(", ", Nsmt.Spectral.Data.Features.AuxiliaryFeatures.Names)}"
                );
            }
        }
        if (names.Distinct().Count() != names.Count)
        {
            throw new ConfigException(
                $"field 'data.auxiliary_features': a feature is listed twice ({string.Join(", ", names)})"
            );
        }

        return names;
    }

    private static ModelSettings BindModel(ConfigReader r)
    {
        var net = r.OpenMapping("model.net") ?? throw r.Missing("model.net", "architecture: and its settings");
        var architecture = (net["architecture"] as ConfigScalar)?.Text
            ?? throw new ConfigException(
                $"{net.Origin}: field 'model.net.architecture' is missing (expected one of {string.Join(", ", ModelFactory.ArchitectureNames)})"
            );
        var settings = new Dictionary<string, string>();
        foreach (var (key, value) in net.Entries.Where(e => e.Key != "architecture"))
        {
            settings[key] = value switch
            {
                ConfigScalar s => s.Text,
                ConfigSequence q => string.Join(",", q.Items.OfType<ConfigScalar>().Select(i => i.Text)),
                _ => throw r.Error($"model.net.{key}", "a value or a list", "a mapping", value),
            };
        }
        var mode = r.Choice(
            "model.output_mode",
            "classification",
            "classification",
            "ordinal",
            "quantized_regression",
            "regression",
            "weighted_ce",
            "soft_targets"
        ) switch
        {
            "ordinal" => OutputMode.Ordinal,
            "quantized_regression" => OutputMode.QuantizedRegression,
            "regression" => OutputMode.Regression,
            "weighted_ce" => OutputMode.WeightedCrossEntropy,
            "soft_targets" => OutputMode.SoftTargets,
            _ => OutputMode.Classification,
        };
        var loss = new LossSettings(
            r.Choice("model.loss.distance", mode == OutputMode.Regression ? "mse" : "l1", "l1", "l2", "mse", "huber"),
            r.Double("model.loss.alpha", 0.1, 0),
            r.Double("model.loss.power", 2, 0),
            r.Double("model.loss.base", 1, 0),
            r.Choice("model.loss.shape", "triangular", "triangular", "gaussian", "log_triangular"),
            r.Int("model.loss.width", 2, 0),
            r.Double("model.loss.sigma", 1, 1e-9),
            r.Double("model.loss.label_smoothing", 0, 0, 1)
        );
        var weights = new Dictionary<string, double>();
        if (r.OpenMapping("model.head_weights") is { } headWeights)
        {
            foreach (var (head, _) in headWeights.Entries)
            {
                weights[head] = r.Double($"model.head_weights.{head}", 1, 0);
            }
        }
        var optimizer = new OptimizerSettings(
            r.Choice("model.optimizer.name", "adam", "adam", "adamw", "sgd"),
            r.Double("model.optimizer.lr", 1e-3, 0),
            r.Double("model.optimizer.weight_decay", 0, 0),
            r.Double("model.optimizer.beta1", 0.9, 0, 1),
            r.Double("model.optimizer.beta2", 0.999, 0, 1),
            r.Double("model.optimizer.eps", 1e-8, 0),
            r.Double("model.optimizer.momentum", 0, 0, 1),
            r.Bool("model.optimizer.nesterov", false)
        );
        var scheduler = new SchedulerSettings(
            r.Choice("model.scheduler.name", "none", "none", "plateau", "step", "exponential", "cosine", "onecycle"),
            r.String("model.scheduler.monitor", "val/loss"),
            r.Choice("model.scheduler.mode", "min", "min", "max"),
            r.Double("model.scheduler.factor", 0.1, 0, 1),
            r.Int("model.scheduler.patience", 10, 0),
            r.Double("model.scheduler.threshold", 1e-4, 0),
            r.Int("model.scheduler.step_size", 10, 1),
            r.Double("model.scheduler.gamma", 0.1, 0),
            r.Int("model.scheduler.t_max", 0, 0),
            r.Double("model.scheduler.eta_min", 0, 0),
            r.Double("model.scheduler.max_lr", 0, 0),
            r.Double("model.scheduler.pct_start", 0.3, 0, 1)
        );
        return new ModelSettings(
            new NetworkSpec(architecture, settings) { Origin = "model.net" },
            mode,
            loss,
            weights,
            optimizer,
            scheduler
        );
    }
}
