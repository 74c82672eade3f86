using System.Globalization;
using Nsmt.Amp.Architectures;
using Nsmt.Amp.Keras;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Config;
using Nsmt.Amp.Training.Modules;
using Nsmt.Config;
using Nsmt.Neural.Engine;

namespace Nsmt.Amp.Training.Knobs;

/// <summary>One recording of a knob capture set: the reamped WAV and the knob values it was played at.</summary>
public sealed record KnobRecording(string Path, KnobSetting Setting);

/// <summary>
/// A knob-conditioned training experiment (configs/amp/knobs.yaml, knobs_files.yaml): an amp config (seed, data,
/// model preset, training, loss) plus a <c>knobs:</c> section: the settings to capture (a grid over the reference
/// amp's knobs, or recordings listed with their values), the whole settings held out of training, and the cell.
/// </summary>
public sealed record KnobTrainConfig
{
    /// <summary>Everything but the knobs; for data.source files, data.reamp is unused (each recording is listed).</summary>
    public required AmpTrainConfig Amp { get; init; }

    public RnnCell Cell { get; init; } = RnnCell.Lstm;

    /// <summary>Every setting, in the order given (grid: the first knob varies slowest).</summary>
    public required IReadOnlyList<KnobSetting> Settings { get; init; }

    /// <summary>Whole settings never trained on (interpolation), reported separately.</summary>
    public required IReadOnlyList<KnobSetting> HeldOut { get; init; }

    /// <summary>data.source files: the reamped WAV of each setting (same DI, same rig).</summary>
    public IReadOnlyList<KnobRecording> Recordings { get; init; } = [];

    /// <summary>Train in float64: slower, but exact where a CPU's float32 recurrent kernels are not (issue 29).</summary>
    public bool Float64 { get; init; }

    /// <summary>
    /// The resolved config as YAML (a knob run's config.yaml): the amp config's keys, then the <c>knobs:</c> section as
    /// bound (recordings with absolute paths), so that <c>AmpTrain --resume</c> reads the same experiment back.
    /// </summary>
    public string ResolvedYaml { get; init; } = "";

    /// <summary>The recurrent layer's width: the LSTM preset's (a knob model has one layer, as AIDA-X plays).</summary>
    public int HiddenSize => NamPresets.Lstm(Enum.Parse<LstmPreset>(Amp.Model.Preset, ignoreCase: true)).HiddenSize;

    /// <summary>Whether the model is a <see cref="KnobWaveNet"/> (model.type: wavenet) rather than a <see cref="ConditionedRnn"/>.</summary>
    public bool IsWaveNet => Amp.Model.Type == ModelType.WaveNet;

    /// <summary>The untrained model: a conditioned LSTM/GRU, or a knob WaveNet of the model.preset A1 architecture.</summary>
    public KnobModule CreateModule() =>
        IsWaveNet
            ? new KnobWaveNet(
                NamPresets.WaveNet(
                    Enum.Parse<WaveNetPreset>(Amp.Model.Preset, ignoreCase: true),
                    (float)Amp.Model.HeadScale
                ),
                Ranges
            )
            : new ConditionedRnn(Cell, HiddenSize, Ranges, Amp.Model.LstmBurnIn);

    /// <summary>How reports name the model: "LSTM 24", "GRU 16" or "WaveNet nano".</summary>
    public string ModelName =>
        IsWaveNet ? $"WaveNet {Amp.Model.Preset}" : $"{Cell.ToString().ToUpperInvariant()} {HiddenSize}";

    /// <summary>Each knob's range over the settings: what the model's 0..1 inputs span.</summary>
    public IReadOnlyList<KnobRange> Ranges =>
        Settings[0]
            .Names.Select(name => new KnobRange(name, Settings.Min(s => s[name]), Settings.Max(s => s[name])))
            .ToList();

    public static KnobTrainConfig Load(string path, IEnumerable<string>? overrides = null) =>
        Bind(SiblingDefaults.Load(path), overrides, path, path);

    public static KnobTrainConfig Parse(string yaml, string name = "config", IEnumerable<string>? overrides = null) =>
        Bind(SiblingDefaults.Parse(yaml, name), overrides, name, null);

    private static KnobTrainConfig Bind(ConfigMapping root, IEnumerable<string>? overrides, string name, string? path)
    {
        root = AmpTrainConfig.ApplyOverrides(root, overrides);
        var knobsRoot = new ConfigMapping(root.Origin);
        if (root["knobs"] is not { } knobsNode)
        {
            throw new ConfigException(
                $"{name}: a knob config needs a knobs: section (grid or recordings, held_out, cell)"
            );
        }

        knobsRoot.Set("knobs", knobsNode);
        root.Remove("knobs");
        UsePlainMseByDefault(root);
        var files = (root["data"] as ConfigMapping)?["source"] is ConfigScalar { Text: "files" };
        var amp = AmpTrainConfig.Bind(root, null, name, path, reampListedElsewhere: files);
        if (amp.Model.Type is not (ModelType.Lstm or ModelType.WaveNet) || amp.Data.ReampPath is not null)
        {
            throw new ConfigException(
                amp.Data.ReampPath is null
                    ? $"{name}: field 'model.type': a knob model is lstm (knobs.cell picks LSTM or GRU) or wavenet (an A1 preset with knob condition channels and FiLM), got another type"
                    : $"{name}: field 'data.reamp': a knob config lists one recording per setting in knobs.recordings instead"
            );
        }

        if (amp.Data.TargetRmsDbfs is not null)
        {
            // A key nothing would read: the knob trainer trains on the targets as recorded.
            throw new ConfigException(
                $"{name}: field 'data.target_rms_dbfs' applies only to AmpTrain's single-capture models, not to knob models"
            );
        }

        var s = new ConfigReader(knobsRoot, name);
        var cell = RnnCell.Lstm;
        if (amp.Model.Type == ModelType.WaveNet)
        {
            s.NotApplicable("knobs.cell", "applies only to model.type: lstm (a knob WaveNet has no recurrent cell)");
        }
        else
        {
            cell = s.Choice("knobs.cell", "lstm", "lstm", "gru") == "gru" ? RnnCell.Gru : RnnCell.Lstm;
        }

        var float64 = s.Choice("knobs.precision", "float32", "float32", "float64") == "float64";
        if (float64 && amp.Training.Precision == PrecisionMode.BFloat16Mixed)
        {
            // bf16-mixed keeps float32 master weights: with float64 ones it would be a third precision nothing tests.
            throw new ConfigException(
                $"{name}: field 'training.precision': expected 32-true with knobs.precision: float64, got 'bf16-mixed'"
            );
        }

        IReadOnlyList<KnobRecording> recordings = [];
        IReadOnlyList<KnobSetting> settings;
        if (files)
        {
            s.NotApplicable(
                "knobs.grid",
                "applies only to data.source: reference (recordings are listed in knobs.recordings)"
            );
            recordings = s.StringList("knobs.recordings").Select(line => ParseRecording(line, s.File)).ToList();
            settings = recordings.Select(r => r.Setting).ToList();
            s.ResolveNode(
                "knobs.recordings",
                Sequence(recordings.Select(r => $"{r.Path} {Exact(r.Setting)}"), quoted: true)
            );
        }
        else
        {
            s.NotApplicable("knobs.recordings", "applies only to data.source: files");
            settings = Grid(s);
            foreach (var setting in settings)
            {
                ReferenceAmpKnobs.Apply(amp.Data.Amp, setting, "knobs.grid");
            }
        }

        var heldOut = s.StringList("knobs.held_out").Select(text => KnobSetting.Parse(text, "knobs.held_out")).ToList();
        s.ResolveNode("knobs.held_out", Sequence(heldOut.Select(Exact), quoted: true));
        s.RejectUnknown();
        var config = new KnobTrainConfig
        {
            Amp = amp,
            Cell = cell,
            Settings = settings,
            HeldOut = heldOut,
            Recordings = recordings,
            Float64 = float64,
            ResolvedYaml = amp.ResolvedYaml + ConfigYaml.Write(s.Resolved),
        };
        config.Validate(s.File);
        return config;
    }

    /// <summary>
    /// The knob recipe's loss is plain MSE, what its figures were measured with (the amp default adds NAM's
    /// pre-emphasised MRSTFT term, which needs windows longer than its FFT); a config's own loss.* keys still apply.
    /// </summary>
    private static void UsePlainMseByDefault(ConfigMapping root)
    {
        if (root["loss"] is null)
        {
            root.Set("loss", new ConfigMapping("knob recipe"));
        }

        // Anything else under loss: is the binder's to check (and refuse, when it is not a mapping).
        if (root["loss"] is ConfigMapping loss && loss["pre_emph_mrstft"] is null)
        {
            loss.Set("pre_emph_mrstft", new ConfigScalar("0", "knob recipe"));
        }
    }

    private static List<KnobSetting> Grid(ConfigReader s)
    {
        var grid = s.Mapping("knobs.grid")
            ?? throw s.Missing("knobs.grid", "a mapping of knob name to its values, e.g. gain_db: [0, 6, 12, 18]");
        var axes = grid
            .Keys.Select(knob =>
                (
                    knob,
                    values: s.StringList($"knobs.grid.{knob}")
                        .Select(text =>
                            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                            && double.IsFinite(v)
                                ? v
                                : throw s.Error($"knobs.grid.{knob}", "numbers", $"'{text}'")
                        )
                        .ToList()
                )
            )
            .ToList();
        var resolved = new ConfigMapping(s.Resolved.Origin);
        foreach (var (knob, values) in axes)
        {
            resolved.Set(
                knob,
                Sequence(values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)), quoted: false)
            );
        }

        s.ResolveNode("knobs.grid", resolved);
        var settings = new List<KnobSetting> { new([]) };
        foreach (var (knob, values) in axes)
        {
            settings =
            [
                .. settings.SelectMany(partial =>
                    values.Select(v => new KnobSetting([.. partial.Values, new(knob, v)]))
                ),
            ];
        }

        return settings;
    }

    /// <summary>A setting as config text that reads back to the same values (ToString rounds them for display).</summary>
    internal static string Exact(KnobSetting setting) =>
        string.Join(
            ",",
            setting.Values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value:R}"))
        );

    private static ConfigSequence Sequence(IEnumerable<string> items, bool quoted) =>
        new([.. items.Select(text => new ConfigScalar(text, "resolved config", plain: !quoted))], "resolved config");

    /// <summary>"FILE SETTING": the reamped WAV, a space, then its knob values (gain_db=6,mid_db=0).</summary>
    private static KnobRecording ParseRecording(string line, string file)
    {
        var space = line.TrimEnd().LastIndexOf(' ');
        if (space <= 0)
        {
            throw new ConfigException(
                file,
                "knobs.recordings",
                $"expected 'FILE knob=value,...' (e.g. amp_g6.wav gain_db=6,mid_db=0), got '{line}'"
            );
        }

        return new KnobRecording(
            System.IO.Path.GetFullPath(line[..space].Trim()),
            KnobSetting.Parse(line[(space + 1)..], "knobs.recordings")
        );
    }

    private void Validate(string where)
    {
        if (Settings.Count < 2)
        {
            throw new ConfigException($"{where}: knobs: a knob model needs at least 2 settings, got {Settings.Count}");
        }

        if (
            !IsWaveNet
            && NamPresets.Lstm(Enum.Parse<LstmPreset>(Amp.Model.Preset, ignoreCase: true))
                is { NumLayers: not 1 } preset
        )
        {
            throw new ConfigException(
                $"{where}: field 'model.preset': a knob model has one recurrent layer (AIDA-X plays one); '{Amp.Model.Preset}' has {preset.NumLayers} (standard 1x24, feather 1x16, nano 1x12)"
            );
        }

        var names = Settings[0].Names.ToList();
        if (names.Count is < 1 || (!IsWaveNet && names.Count > AidaLimits.MaxInputs - 1))
        {
            throw new ConfigException($"{where}: knobs: AIDA-X plays 1 or 2 knobs, got {names.Count}");
        }

        foreach (var setting in Settings.Concat(HeldOut))
        {
            if (!setting.Names.SequenceEqual(names))
            {
                throw new ConfigException(
                    $"{where}: knobs: setting '{setting}' must give the knobs {string.Join(", ", names)} in that order"
                );
            }
        }

        if (Settings.Distinct().Count() != Settings.Count)
        {
            throw new ConfigException($"{where}: knobs: a setting is listed twice");
        }

        foreach (var held in HeldOut.Where(h => !Settings.Contains(h)))
        {
            throw new ConfigException($"{where}: field 'knobs.held_out': '{held}' is not one of the captured settings");
        }

        if (Settings.Count - HeldOut.Count < 1)
        {
            throw new ConfigException(
                $"{where}: field 'knobs.held_out': every setting is held out; nothing is left to train on"
            );
        }

        foreach (var range in Ranges.Where(r => !(r.Maximum > r.Minimum)))
        {
            throw new ConfigException(
                $"{where}: knobs: knob '{range.Name}' takes one value only; it needs two or more"
            );
        }
    }
}
