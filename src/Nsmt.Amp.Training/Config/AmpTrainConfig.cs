using System.Globalization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Format;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Losses;
using Nsmt.Amp.Training.Modules;
using Nsmt.Config;
using Nsmt.Neural.Engine;

namespace Nsmt.Amp.Training.Config;

public enum DataSource
{
    /// <summary>Generate the capture signal and run it through the reference amp in memory.</summary>
    Reference,

    /// <summary>A DI and a reamped WAV file, aligned by ingestion.</summary>
    Files,
}

public enum ModelType
{
    /// <summary>NAM's A1 WaveNet (a preset).</summary>
    WaveNet,

    /// <summary>NAM's LSTM (a preset).</summary>
    Lstm,

    /// <summary>The predecessor project's plain residual WaveNet, causal or offline (not exportable as .nam).</summary>
    PlainWaveNet,

    /// <summary>NAM's A2 WaveNet (a preset of configs/amp/models/a2.yaml, or all of them packed).</summary>
    A2,
}

/// <summary><c>data:</c> where the DI/reamp pair comes from and how it is cut into training windows.</summary>
public sealed record DataSettings
{
    public DataSource Source { get; init; } = DataSource.Reference;

    /// <summary>Reference: rate of the generated capture (Hz).</summary>
    public int SampleRate { get; init; } = 48_000;

    /// <summary>Reference: capture length (s).</summary>
    public double Seconds { get; init; } = 30;

    /// <summary>
    /// Reference: validation passage length (s), played at the start and held out at the end (default 3).
    /// Files: the held-out last seconds of a recording that is not our capture signal (default 9, NAM's).
    /// </summary>
    public double? ValidationSeconds { get; init; }

    public const double ReferenceValidationSeconds = 3;

    public const double FilesValidationSeconds = 9;

    /// <summary>Reference: seed of the capture signal.</summary>
    public int CaptureSeed { get; init; }

    /// <summary>Reference: the amp's knobs.</summary>
    public ReferenceAmpOptions Amp { get; init; } = new();

    /// <summary>
    /// Reference: the capture signal these settings describe. Training generates it in memory; the amp flow's capture
    /// stage writes it (Amp capture --config), so the model is evaluated on the signal it was trained on.
    /// </summary>
    public CaptureSignalOptions CaptureOptions() =>
        new()
        {
            SampleRate = SampleRate,
            Seconds = Seconds,
            ValidationSeconds = ValidationSeconds ?? ReferenceValidationSeconds,
            Seed = CaptureSeed,
        };

    /// <summary>Reference: the amp these settings describe, at the capture's rate (Amp reamp --config plays through it).</summary>
    public ReferenceAmpOptions AmpOptions() => Amp with { SampleRate = SampleRate };

    /// <summary>Files: the dry (DI) WAV.</summary>
    public string? DiPath { get; init; }

    /// <summary>Files: the reamped (wet) WAV.</summary>
    public string? ReampPath { get; init; }

    /// <summary>
    /// Files: manual latency in samples (null = detect). Reference amp: the alignment to train with (null = the amp's
    /// own latency setting, 0 by default). The reference amp's output peaks about 32 samples after its input (its
    /// causal oversampling and cabinet filters); a WaveNet's 4,093-sample receptive field absorbs that, but an LSTM
    /// would have to carry a delay line in its state, so its recipe aligns the pair the way NAM's latency calibration does.
    /// </summary>
    public int? Latency { get; init; }

    /// <summary>Files: channel of a multi-channel file (0-based); null averages the channels.</summary>
    public int? Channel { get; init; }

    /// <summary>Files: resample the reamp to the DI's rate instead of failing on a mismatch.</summary>
    public bool Resample { get; init; }

    /// <summary>Gain applied to the input before training, dB (recorded in the ingestion report).</summary>
    public double InputGainDb { get; init; }

    /// <summary>Output samples per training window (NAM: 8192).</summary>
    public int Ny { get; init; } = 8192;

    /// <summary>
    /// NAM's output normalisation (its data config's <c>target_rms_dbfs</c>): train on the target scaled to this RMS
    /// (dBFS; less where its peak would reach full scale), and export with head_scale divided by that gain, so the
    /// model plays at the amp's level (<see cref="Data.TargetNormalization"/>). Null: the target as recorded. NAM's
    /// WaveNets only (wavenet, a2): an LSTM has no head_scale to undo it.
    /// </summary>
    public double? TargetRmsDbfs { get; init; }
}

/// <summary><c>model:</c> architecture and size.</summary>
public sealed record ModelSettings
{
    public ModelType Type { get; init; } = ModelType.WaveNet;

    /// <summary>standard, lite, feather or nano (WaveNet and LSTM); a preset of a2.yaml, or <see cref="Packed"/> (A2).</summary>
    public string Preset { get; init; } = "feather";

    /// <summary>
    /// The .nam version exported: 0.5.4 (A1 and LSTM; every player reads it), 0.6.0 (one A2 WaveNet; a packed run
    /// exports its widest width) or 0.7.0 (an A2 SlimmableContainer of every width trained). Null: 0.5.4 for A1 and
    /// LSTM, 0.7.0 for A2.
    /// </summary>
    public string? NamVersion { get; init; }

    /// <summary>A1 output scale (NAM: 0.02).</summary>
    public double HeadScale { get; init; } = NamPresets.DefaultHeadScale;

    /// <summary>LSTM: leading samples of each window that only warm the state (NAM trains with 4096).</summary>
    public int LstmBurnIn { get; init; } = 4096;

    /// <summary>Plain WaveNet: its options (model.plain_wavenet).</summary>
    public PlainWaveNetOptions PlainWaveNet { get; init; } = new();

    public static readonly string[] Presets = ["standard", "lite", "feather", "nano"];

    /// <summary>model.preset of an A2 run that trains every preset of a2.yaml at once (NAM's packed training).</summary>
    public const string Packed = "packed";

    public static readonly string[] NamVersions = ["0.5.4", "0.6.0", "0.7.0"];

    /// <summary>The version written: <see cref="NamVersion"/>, or the architecture's default.</summary>
    public string ExportVersion => NamVersion ?? (Type == ModelType.A2 ? "0.7.0" : "0.5.4");

    /// <summary>A fresh, seeded-initialised module of this architecture.</summary>
    public AmpModule CreateModule(double sampleRate) =>
        Type switch
        {
            ModelType.WaveNet => new NamWaveNet(
                NamPresets.WaveNet(Enum.Parse<WaveNetPreset>(Preset, ignoreCase: true), (float)HeadScale)
            ),
            ModelType.Lstm => new NamLstm(
                NamPresets.Lstm(Enum.Parse<LstmPreset>(Preset, ignoreCase: true)),
                LstmBurnIn,
                sampleRate
            ),
            ModelType.PlainWaveNet => new PlainWaveNet(PlainWaveNet),
            ModelType.A2 when Preset == Packed => new PackedA2(A2Presets.All()),
            ModelType.A2 => new NamA2WaveNet(A2Presets.Get(Preset)),
            _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, null),
        };

    public string Describe() =>
        Type switch
        {
            ModelType.PlainWaveNet =>
                $"plain WaveNet C{PlainWaveNet.Channels} L{PlainWaveNet.Layers} K{PlainWaveNet.KernelSize} ({(PlainWaveNet.Causal ? "causal" : "offline")})",
            ModelType.Lstm => $"NAM LSTM {Preset}",
            ModelType.A2 when Preset == Packed => $"NAM WaveNet A2 packed ({string.Join(" + ", A2Presets.Names)})",
            ModelType.A2 => $"NAM WaveNet A2 {Preset}",
            _ => $"NAM WaveNet A1 {Preset}",
        };
}

/// <summary><c>training:</c> optimisation (NAM's defaults).</summary>
public sealed record TrainingSettings
{
    public int Epochs { get; init; } = 100;

    public int BatchSize { get; init; } = 16;

    /// <summary>Adam learning rate (NAM: 0.004).</summary>
    public double LearningRate { get; init; } = 0.004;

    /// <summary>ExponentialLR gamma per epoch (NAM: 0.993).</summary>
    public double LearningRateGamma { get; init; } = 0.993;

    public double WeightDecay { get; init; }

    /// <summary>Skip the last, smaller batch of an epoch (NAM's data loader does): every step then averages the same number of windows.</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>
    /// Decay of an exponential moving average of the weights, updated every step (0 = off, NAM's
    /// default; NAM suggests 0.999). Validation, checkpoints' .nam files and model.nam use the average.
    /// </summary>
    public double EmaDecay { get; init; }

    /// <summary>Gradient norm clip (0 = off; the predecessor project: 1.0).</summary>
    public double GradClip { get; init; }

    /// <summary>Stop after this many epochs without a better validation ESR (0 = off; the predecessor project: 20).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Checkpoints kept by validation ESR (plus the last).</summary>
    public int TopK { get; init; } = 3;

    /// <summary>libtorch threads (0 = all cores).</summary>
    public int Threads { get; init; }

    /// <summary>oneDNN: auto (off where the engine self-check finds its float32 kernels wrong), on or off.</summary>
    public OneDnnMode OneDnn { get; init; }

    /// <summary>auto | cpu | cuda | cuda:N | mps (<see cref="TrainingDevice"/>).</summary>
    public string Accelerator { get; init; } = "auto";

    /// <summary>32-true (32) | bf16-mixed (<see cref="TrainingPrecision"/>).</summary>
    public PrecisionMode Precision { get; init; }

    /// <summary>high (TF32 on CUDA) | highest.</summary>
    public MatmulPrecision MatmulPrecision { get; init; }

    /// <summary>torch.use_deterministic_algorithms and cudnn.deterministic (false: libtorch's fastest kernels).</summary>
    public bool Deterministic { get; init; } = true;

    /// <summary>The engine keys as every trainer reads them.</summary>
    public EngineSettings Engine =>
        new("training.", Accelerator, Deterministic, OneDnn, Threads)
        {
            Precision = Precision,
            MatmulPrecision = MatmulPrecision,
        };

    /// <summary>Stop after the epoch that passes this wall-clock budget (0 = none).</summary>
    public double MaxSeconds { get; init; }
}

/// <summary>
/// An amp training experiment (configs/amp/*.yaml): seed, data, model, training, loss, metadata.
/// Every key has a default (NAM's where NAM has one); an unknown key is an error naming it.
/// </summary>
public sealed record AmpTrainConfig
{
    public int Seed { get; init; }

    public DataSettings Data { get; init; } = new();

    public ModelSettings Model { get; init; } = new();

    public TrainingSettings Training { get; init; } = new();

    public LossSettings Loss { get; init; } = new();

    /// <summary>
    /// <c>metadata:</c> the gear fields written into each exported .nam (name, modeled_by, gear_make, gear_model,
    /// gear_type, tone_type, input/output_level_dbu); export adds the date, loudness, gain and training fields.
    /// </summary>
    public NamMetadata Metadata { get; init; } = new();

    /// <summary>The file the config was read from (null when built in code).</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// The resolved config as YAML (config.yaml of a run): every key that applies with the value used, defaults
    /// included, as the binder read it. Empty for a config built in code.
    /// </summary>
    public string ResolvedYaml { get; init; } = "";

    public static AmpTrainConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        return Bind(new ConfigReader(WithOverrides(SiblingDefaults.Load(path), overrides), path), path);
    }

    /// <summary>What <see cref="Load"/> reads, file by file, for the pipeline's fingerprint (the same composition and binder).</summary>
    public static ConfigReads ReadsOf(string path, IEnumerable<string>? overrides = null)
    {
        var reader = new ConfigReader(WithOverrides(SiblingDefaults.Load(path), overrides), path);
        Bind(reader, path);
        return ConfigReads.Of(reader);
    }

    public static AmpTrainConfig Parse(string yaml, string name = "config", IEnumerable<string>? overrides = null) =>
        Bind(new ConfigReader(WithOverrides(SiblingDefaults.Parse(yaml, name), overrides), name), null);

    /// <summary>
    /// Applies <c>key=value</c> overrides, then <c>${other.key}</c> interpolation. Any key may be set, since the files
    /// hold only what differs from the defaults in code; the binder's unknown-key check names a misspelt one.
    /// </summary>
    private static ConfigMapping WithOverrides(ConfigMapping root, IEnumerable<string>? overrides)
    {
        foreach (var o in overrides ?? [])
        {
            ConfigOverride.Parse(o).ApplyTo(root, strict: false);
        }

        // ${other.key} as in every config (README, Configs): a reference is resolved or named, never read as a value.
        ConfigInterpolation.Resolve(root);
        return root;
    }

    /// <summary>
    /// Binds an already composed tree; <paramref name="reampListedElsewhere"/> lets data.source files come without
    /// data.reamp (a knob config lists one recording per setting instead).
    /// </summary>
    internal static AmpTrainConfig Bind(
        ConfigMapping root,
        IEnumerable<string>? overrides,
        string name,
        string? path,
        bool reampListedElsewhere = false
    ) => Bind(new ConfigReader(WithOverrides(root, overrides), name), path, reampListedElsewhere);

    internal static ConfigMapping ApplyOverrides(ConfigMapping root, IEnumerable<string>? overrides) =>
        WithOverrides(root, overrides);

    /// <summary>model.type of the predecessor project's plain residual WaveNet (formerly seed_wavenet).</summary>
    public const string PlainWaveNetType = "plain_wavenet";

    /// <summary>
    /// The plain WaveNet's old spellings, from when "seed" named the predecessor project (a word every other key uses
    /// for the random seed): refused naming the new key, never silently ignored or taken for something else.
    /// </summary>
    private static void RefuseSeedSpellings(ConfigReader s)
    {
        if (s.Root["model"] is not ConfigMapping model)
        {
            return;
        }

        if (model["type"] is ConfigScalar { Text: "seed_wavenet" } type)
        {
            throw new ConfigException(
                type.Origin,
                "model.type",
                $"'seed_wavenet' was renamed '{PlainWaveNetType}' (the predecessor project's plain WaveNet); "
                    + $"write model.type: {PlainWaveNetType}"
            );
        }

        if (model["seed"] is { } old)
        {
            var (leaf, node) =
                old is ConfigMapping m && m.Entries.Count > 0 ? m.Leaves("model.seed").First() : ("model.seed", old);
            throw new ConfigException(
                node.Origin,
                leaf,
                $"the plain WaveNet's settings were renamed: write model.{PlainWaveNetType}{leaf["model.seed".Length..]} "
                    + "(the random seed is the top-level key 'seed')"
            );
        }
    }

    private static AmpTrainConfig Bind(ConfigReader s, string? path, bool reampListedElsewhere = false)
    {
        // Each key is read once, here; the reader records the value it resolved to (the file's or the default), in
        // this order, and that record is the resolved config.yaml. Keys that do not apply are pruned from it.
        var defaults = new AmpTrainConfig();
        var runSeed = s.Int("seed", 0);
        var source =
            s.Choice("data.source", "reference", "reference", "files") == "files"
                ? DataSource.Files
                : DataSource.Reference;
        // Settings of the other data source are refused rather than carried along unused (and into config.yaml).
        foreach (var key in source == DataSource.Files ? ReferenceOnlyKeys : FilesOnlyKeys)
        {
            s.NotApplicable(
                key,
                source == DataSource.Files
                    ? "applies only to data.source: reference (recordings bring their own rate and length)"
                    : "applies only to data.source: files"
            );
        }

        RefuseSeedSpellings(s);
        var modelType = s.Choice("model.type", "wavenet", "wavenet", "lstm", PlainWaveNetType, "a2") switch
        {
            "lstm" => ModelType.Lstm,
            PlainWaveNetType => ModelType.PlainWaveNet,
            "a2" => ModelType.A2,
            _ => ModelType.WaveNet,
        };
        var data = source == DataSource.Files ? BindFilesData(s) : BindReferenceData(s, defaults.Data);
        data = data with
        {
            Ny = s.Int("data.ny", defaults.Data.Ny, 1, 1 << 22),
            TargetRmsDbfs = ReadTargetRmsDbfs(s, modelType),
        };

        // Settings of other model types, by contrast, are read (so they are still checked) but not kept: switching
        // model.type on the command line on top of a config is a normal move. config.yaml holds only the chosen type's.
        T KeptFor<T>(string key, Func<string, T> read, params ModelType[] types)
        {
            var value = read(key);
            if (!types.Contains(modelType))
            {
                s.Prune(key);
            }

            return value;
        }

        var plainNet = defaults.Model.PlainWaveNet;
        var model = new ModelSettings
        {
            Type = modelType,
            Preset = KeptFor(
                "model.preset",
                key =>
                    modelType == ModelType.A2
                        ? s.Choice(key, ModelSettings.Packed, [.. A2Presets.Names, ModelSettings.Packed])
                        : s.Choice(key, defaults.Model.Preset, ModelSettings.Presets),
                ModelType.WaveNet,
                ModelType.Lstm,
                ModelType.A2
            ),
            NamVersion = KeptFor(
                "model.nam_version",
                key => s.Has(key) ? s.Choice(key, "0.5.4", ModelSettings.NamVersions) : null,
                ModelType.A2
            ),
            HeadScale = KeptFor("model.head_scale", key => s.Double(key, defaults.Model.HeadScale), ModelType.WaveNet),
            LstmBurnIn = KeptFor(
                "model.lstm_burn_in",
                key => s.Int(key, defaults.Model.LstmBurnIn, 0, 1 << 20),
                ModelType.Lstm
            ),
            PlainWaveNet = KeptFor(
                "model.plain_wavenet",
                _ => new PlainWaveNetOptions(
                    Channels: s.Int("model.plain_wavenet.channels", plainNet.Channels, 1, 1024),
                    Layers: s.Int("model.plain_wavenet.layers", plainNet.Layers, 1, 30),
                    KernelSize: s.Int("model.plain_wavenet.kernel_size", plainNet.KernelSize, 1, 64),
                    DilationBase: s.Int("model.plain_wavenet.dilation_base", plainNet.DilationBase, 1, 16),
                    Causal: s.Bool("model.plain_wavenet.causal", plainNet.Causal)
                ),
                ModelType.PlainWaveNet
            ),
        };
        if (modelType == ModelType.A2)
        {
            s.Resolve("model.nam_version", model.ExportVersion); // the version written, also when left to its default
        }

        var t = defaults.Training;
        var training = new TrainingSettings
        {
            Epochs = s.Int("training.epochs", t.Epochs, 1, 1_000_000),
            BatchSize = s.Int("training.batch_size", t.BatchSize, 1, 1 << 16),
            LearningRate = s.Double("training.lr", t.LearningRate, 0, 10),
            LearningRateGamma = s.Double("training.lr_gamma", t.LearningRateGamma, 0, 1),
            WeightDecay = s.Double("training.weight_decay", t.WeightDecay, 0, 10),
            DropLast = s.Bool("training.drop_last", t.DropLast),
            EmaDecay = s.Double("training.ema_decay", t.EmaDecay, 0, 0.999999),
            GradClip = s.Double("training.grad_clip", t.GradClip, 0),
            EarlyStoppingPatience = s.Int("training.early_stopping_patience", t.EarlyStoppingPatience, 0),
            TopK = s.Int("training.top_k", t.TopK, 0, 1000),
            Threads = s.Int("training.threads", t.Threads, 0, 1024),
            OneDnn = EngineGuard.Parse(
                s.Choice("training.onednn", t.OneDnn.ToString().ToLowerInvariant(), "auto", "on", "off"),
                "training.onednn"
            ),
            MaxSeconds = s.Double("training.max_seconds", t.MaxSeconds, 0),
            Accelerator = TrainingDevice.Validate(
                s.String("training.accelerator", t.Accelerator),
                "training.accelerator",
                path
            ),
            Deterministic = s.Bool("training.deterministic", t.Deterministic),
            Precision = TrainingPrecision.Parse(
                s.Choice("training.precision", TrainingPrecision.NameOf(t.Precision), TrainingPrecision.Choices),
                "training.precision"
            ),
            MatmulPrecision = TrainingPrecision.ParseMatmul(
                s.Choice(
                    "training.float32_matmul_precision",
                    TrainingPrecision.NameOf(t.MatmulPrecision),
                    TrainingPrecision.MatmulChoices
                ),
                "training.float32_matmul_precision"
            ),
        };
        var l = defaults.Loss;
        var loss = new LossSettings
        {
            Mse = s.Double("loss.mse", l.Mse, 0),
            Esr = s.Double("loss.esr", l.Esr, 0),
            EsrPooled = s.Double("loss.esr_pooled", l.EsrPooled, 0),
            PreEmphasisMse = s.Double("loss.pre_emph_mse", l.PreEmphasisMse, 0),
            PreEmphasisEsr = s.Double("loss.pre_emph_esr", l.PreEmphasisEsr, 0),
            Mrstft = s.Double("loss.mrstft", l.Mrstft, 0),
            PreEmphasisMrstft = s.Double("loss.pre_emph_mrstft", l.PreEmphasisMrstft, 0),
            Dc = s.Double("loss.dc", l.Dc, 0),
            PreEmphasisCoefficient = s.Double("loss.pre_emph_coef", l.PreEmphasisCoefficient, 0, 0.999999),
        };
        var metadata = new NamMetadata
        {
            Name = s.OptionalString("metadata.name"),
            ModeledBy = s.OptionalString("metadata.modeled_by"),
            GearMake = s.OptionalString("metadata.gear_make"),
            GearModel = s.OptionalString("metadata.gear_model"),
            GearType = OneOf(s, "metadata.gear_type", NamMetadata.GearTypes),
            ToneType = OneOf(s, "metadata.tone_type", NamMetadata.ToneTypes),
            InputLevelDbu = s.NullableDouble("metadata.input_level_dbu"),
            OutputLevelDbu = s.NullableDouble("metadata.output_level_dbu"),
        };
        var config = new AmpTrainConfig
        {
            Seed = runSeed,
            Data = data,
            Model = model,
            Training = training,
            Loss = loss,
            Metadata = metadata,
            SourcePath = path,
            ResolvedYaml = ConfigYaml.Write(s.Resolved),
        };
        s.RejectUnknown();
        config.Validate(s.File, reampListedElsewhere);
        return config;
    }

    /// <summary>data.latency: "auto" (null) or samples; shared by both sources, which list it at different places.</summary>
    private static int? ReadLatency(ConfigReader s) =>
        s.String("data.latency", "auto") == "auto" ? null : s.Int("data.latency", 0, -1_000_000, 1_000_000);

    /// <summary>data.target_rms_dbfs: null (absent from config.yaml, as before the key existed) or a level for a WaveNet.</summary>
    private static double? ReadTargetRmsDbfs(ConfigReader s, ModelType modelType)
    {
        const string key = "data.target_rms_dbfs";
        var target = s.NullableDouble(key, -80, 0);
        if (target is null)
        {
            s.Prune(key);
        }
        else if (modelType is not (ModelType.WaveNet or ModelType.A2))
        {
            throw s.Error(
                key,
                "null for this model.type (only NAM's WaveNets, wavenet and a2, have a head_scale that undoes the normalisation on export)",
                target.Value.ToString(CultureInfo.InvariantCulture)
            );
        }

        return target;
    }

    private static double? ReadValidationSeconds(ConfigReader s) => s.NullableDouble("data.validation_seconds", 1, 600);

    /// <summary>The files source's data keys, in config.yaml's order (the reference keys are refused before).</summary>
    private static DataSettings BindFilesData(ConfigReader s) =>
        new()
        {
            Source = DataSource.Files,
            DiPath = ResolvePath(s, "data.di"),
            ReampPath = ResolvePath(s, "data.reamp"),
            Latency = ReadLatency(s),
            Channel = s.NullableInt("data.channel", 0, 64),
            Resample = s.Bool("data.resample", false),
            InputGainDb = s.Double("data.input_gain_db", 0, -60, 60),
            ValidationSeconds = ReadValidationSeconds(s),
        };

    /// <summary>The reference source's data keys: the capture and the reference amp's knobs (the files keys are refused before).</summary>
    private static DataSettings BindReferenceData(ConfigReader s, DataSettings defaults)
    {
        var amp = defaults.Amp;
        var data = new DataSettings
        {
            Source = DataSource.Reference,
            SampleRate = s.Int("data.sample_rate", defaults.SampleRate, 16_000, 384_000),
            Seconds = s.Double("data.seconds", defaults.Seconds, 1, 3600),
            ValidationSeconds = ReadValidationSeconds(s),
            CaptureSeed = s.Int("data.capture_seed", 0),
            Latency = ReadLatency(s),
        };
        if (data.Latency is null)
        {
            s.Prune("data.latency"); // only when set: the resolved configs of runs without it stay as they were
        }

        return data with
        {
            Amp = new ReferenceAmpOptions
            {
                GainDb = s.Double("data.amp.gain_db", amp.GainDb),
                Asymmetry = s.Double("data.amp.asymmetry", amp.Asymmetry),
                Oversampling = s.Int("data.amp.oversampling", amp.Oversampling),
                TightHz = s.Double("data.amp.tight_hz", amp.TightHz, 1),
                BassDb = s.Double("data.amp.bass_db", amp.BassDb),
                MidDb = s.Double("data.amp.mid_db", amp.MidDb),
                TrebleDb = s.Double("data.amp.treble_db", amp.TrebleDb),
                SecondStageGainDb = s.Double("data.amp.second_stage_gain_db", amp.SecondStageGainDb),
                CabinetLowCutHz = s.Double("data.amp.cabinet_low_cut_hz", amp.CabinetLowCutHz),
                CabinetHighCutHz = s.Double("data.amp.cabinet_high_cut_hz", amp.CabinetHighCutHz),
                OutputGainDb = s.Double("data.amp.output_gain_db", amp.OutputGainDb),
                NoiseDbfs = s.NullableDouble("data.amp.noise_dbfs"),
                NoiseSeed = s.Int("data.amp.noise_seed", amp.NoiseSeed),
                LatencySamples = s.Int("data.amp.latency_samples", amp.LatencySamples, 0, 1_000_000),
            },
        };
    }

    private static readonly string[] ReferenceOnlyKeys =
    [
        "data.sample_rate",
        "data.seconds",
        "data.capture_seed",
        "data.amp",
    ];

    private static readonly string[] FilesOnlyKeys =
    [
        "data.di",
        "data.reamp",
        "data.channel",
        "data.resample",
        "data.input_gain_db",
    ];

    private static string? OneOf(ConfigReader s, string key, IReadOnlyList<string> allowed)
    {
        var value = s.Scalar(key);
        s.Resolve(key, value?.Text);
        return value is null || allowed.Contains(value.Text)
            ? value?.Text
            : throw s.Error(key, "one of " + string.Join(", ", allowed), $"'{value.Text}'", value);
    }

    /// <summary>Relative data paths are taken from the current directory (the repository root for configs/), and recorded so.</summary>
    private static string? ResolvePath(ConfigReader s, string key)
    {
        var path = s.OptionalString(key) is { } value ? Path.GetFullPath(value) : null;
        s.Resolve(key, path, plain: false);
        return path;
    }

    /// <summary>Cross-field rules; the message names the fields.</summary>
    public void Validate(string where = "config", bool reampListedElsewhere = false)
    {
        try
        {
            Loss.Validate();
            if (Model.Type == ModelType.PlainWaveNet)
            {
                Model.PlainWaveNet.Validate();
            }
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{where}: {e.Message}");
        }

        var a2 = Model.Type == ModelType.A2;
        if (Model.NamVersion is { } version && a2 == (version == "0.5.4"))
        {
            throw new ConfigException(
                a2
                    ? $"{where}: model.nam_version: A2 has no 0.5.4 form (per-layer kernel sizes, LeakyReLU, the bottleneck and the head conv are 0.6 features); use 0.6.0 or 0.7.0"
                    : $"{where}: model.nam_version: {version} is written for A2 models only; A1 WaveNets and LSTMs export 0.5.4"
            );
        }

        if (
            Data.Source == DataSource.Files
            && (Data.DiPath is null || (Data.ReampPath is null && !reampListedElsewhere))
        )
        {
            throw new ConfigException(
                $"{where}: data.source is files: data.di and data.reamp must name the DI and reamped WAV files"
            );
        }

        if (Data.Source == DataSource.Reference && (Data.DiPath is not null || Data.ReampPath is not null))
        {
            throw new ConfigException(
                $"{where}: data.di/data.reamp are only used with data.source: files (the reference source generates both)"
            );
        }

        if (Data.Source == DataSource.Reference)
        {
            // The capture's layout must fit in data.seconds: say so here, naming the field, not when generating it.
            var capture = Data.CaptureOptions();
            try
            {
                CaptureLayout.Compute(
                    (int)Math.Round(capture.Seconds * capture.SampleRate),
                    (int)Math.Round(capture.ValidationSeconds * capture.SampleRate),
                    capture.SampleRate
                );
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{where}: data.seconds: {e.Message} (data.validation_seconds {capture.ValidationSeconds:0.###} s)"
                    )
                );
            }
        }
    }
}
