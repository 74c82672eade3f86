using System.Globalization;
using Nsmt.Audio.Dsp;
using Nsmt.Audio.Synth;
using Nsmt.Config;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Config;

public enum SamplingMode
{
    /// <summary>Each varying parameter uniform in [min, max], seeded per sample.</summary>
    Random,

    /// <summary>Every combination of the parameters' step grids, last parameter fastest.</summary>
    Grid,
}

public enum SpectrogramType
{
    Stft,
    Mel,
}

/// <summary>How audio becomes an image (NSMT's stft: and mel: sections).</summary>
public sealed record SpectrogramSettings(
    SpectrogramType Type,
    int NFft,
    int NWindow,
    int HopLength,
    WindowType Window,
    ConfigNumber BinsPerHarmonic,
    ConfigNumber MelFreqMin,
    ConfigNumber MelFreqMaxRatio
);

/// <summary>
/// A dataset generator configuration, read from YAML with NSMT's key names:
/// dataset.{size, sampling_rate, duration}, seed, sampling (random|grid), shuffle,
/// generate.{height, width, channels, pre_emphasis_coefficient, temporal_envelope, spectral_envelope, normalize, level, db_floor, db_ceiling, output_dir},
/// stft.{type, n_fft, n_window, hop_length, window_type, bins_per_harmonic}, mel.{freq_min, freq_max_ratio},
/// synthesizer.parameters.NAME.{min_value, max_value, step, description} (or NAME: value for a fixed one).
/// </summary>
public sealed record GeneratorConfig
{
    public required string SourcePath { get; init; }

    public required int Size { get; init; }

    public required int SampleRate { get; init; }

    public required double Duration { get; init; }

    public required ulong Seed { get; init; }

    public required SamplingMode Sampling { get; init; }

    public required bool Shuffle { get; init; }

    public required int Height { get; init; }

    public required int Width { get; init; }

    /// <summary>1 or 3 (gray replicated); ignored when envelope channels or generate.level: both decide the channels.</summary>
    public required int BaseChannels { get; init; }

    public required ConfigNumber PreEmphasis { get; init; }

    public required EnvelopeOptions Envelopes { get; init; }

    public required SpectrogramSettings Spectrogram { get; init; }

    public required IReadOnlyList<ParameterSpec> Parameters { get; init; }

    public required string OutputRoot { get; init; }

    /// <summary>generate.level: NSMT's per-image min-max (default) or a fixed dB range for the dataset.</summary>
    public LevelScaling Level { get; init; } = LevelScaling.MinMax;

    public int Channels =>
        Envelopes.Any
            ? 1 + (Envelopes.Temporal ? 1 : 0) + (Envelopes.Spectral ? 1 : 0)
            : Level.Channels ?? BaseChannels;

    public IReadOnlyList<ParameterSpec> VaryingParameters => Parameters.Where(p => p.IsVarying).ToList();

    public string DatasetName =>
        VimhFormat.DatasetName(
            Height,
            Width,
            Channels,
            SampleRate,
            Duration,
            Size,
            VaryingParameters.Count,
            Envelopes,
            Shuffle
        );

    /// <summary>Loads a YAML config and applies <c>key=value</c> overrides (dotted paths, e.g. dataset.size=16384).</summary>
    public static GeneratorConfig Load(string path, IEnumerable<string>? overrides = null) =>
        Binding(path, overrides).Config;

    /// <summary>What <see cref="Load"/> reads, for the pipeline's fingerprint (the same binder).</summary>
    public static ConfigReads ReadsOf(string path, IEnumerable<string>? overrides = null) =>
        ConfigReads.Of(Binding(path, overrides).Reader);

    private static (GeneratorConfig Config, ConfigReader Reader) Binding(string path, IEnumerable<string>? overrides)
    {
        ArgumentNullException.ThrowIfNull(path);
        var root = ConfigYaml.ReadFile(path);
        foreach (var o in overrides ?? [])
        {
            // Keys absent from the file take their defaults; an override may set them, and a misspelt one is
            // named by RejectUnknown with the nearest valid key.
            ConfigOverride.Parse(o).ApplyTo(root, strict: false);
        }

        var b = new ConfigReader(root, path);
        var config = Bind(b);
        b.RejectUnknown();
        return (config, b);
    }

    /// <summary>A number that remembers whether it was written as an integer (NSMT's YAML typing).</summary>
    internal static ConfigNumber Number(ConfigReader b, string path, ConfigNumber? fallback)
    {
        var s = b.Scalar(path);
        return s is null ? fallback ?? throw b.Missing(path, "a number") : ParseNumber(b, path, s);
    }

    private static ConfigNumber ParseNumber(ConfigReader b, string path, ConfigScalar s)
    {
        if (s.Plain && long.TryParse(s.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return new ConfigNumber(i, true);
        }

        if (double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return ConfigNumber.Float(d);
        }

        throw b.Error(path, "a number", $"'{s.Text}'", s);
    }

    private static GeneratorConfig Bind(ConfigReader b)
    {
        var size = b.Int("dataset.size", null, 1, 100_000_000);
        var trainCount = VimhFormat.TrainCount(size);
        if (trainCount < 1 || size - trainCount < 1)
        {
            // The split is floor(0.8 N) / the rest: an empty split would train or test on nothing.
            throw b.Error(
                "dataset.size",
                "at least 2 (80 % train, 20 % test, each at least 1 record)",
                $"{size} (a split of {trainCount} train and {size - trainCount} test records)",
                b.Scalar("dataset.size")
            );
        }
        var sampleRate = b.Int("dataset.sampling_rate", null, 1, 1_000_000);
        var duration = b.Double("dataset.duration", null, double.Epsilon, 3600);
        if ((int)(duration * sampleRate) < 1)
        {
            throw new ConfigException(
                $"{b.File}: field 'dataset.duration': {duration} s is shorter than one sample at {sampleRate} Hz"
            );
        }

        // Each clip is synthesised into arrays of this many samples; 3600 s at 1 MHz would not fit an int.
        if (duration * sampleRate > VimhLimits.MaxClipSamples)
        {
            throw new ConfigException(
                $"{b.File}: field 'dataset.duration': {duration} s at {sampleRate} Hz is {duration * sampleRate:0} samples per clip, "
                    + $"expected at most {VimhLimits.MaxClipSamples} (VimhLimits.MaxClipSamples)"
            );
        }

        var seed = b.UInt64("seed", 42);
        var sampling =
            b.Choice("sampling", "random", "random", "grid") == "grid" ? SamplingMode.Grid : SamplingMode.Random;
        var shuffle = b.Bool("shuffle", false);

        var height = b.Int("generate.height", null, 1, ushort.MaxValue);
        var width = b.Int("generate.width", null, 1, ushort.MaxValue);
        var channels = b.Int("generate.channels", 1, 1, 3);
        if (channels == 2)
        {
            throw b.Error("generate.channels", "1 or 3", "2");
        }

        var preEmphasis = Number(b, "generate.pre_emphasis_coefficient", ConfigNumber.Float(0.0));
        if (preEmphasis.Value is < 0 or >= 1)
        {
            throw b.Error("generate.pre_emphasis_coefficient", "a number in [0, 1)", preEmphasis.ToString());
        }

        var envelopes = new EnvelopeOptions(
            b.Bool("generate.temporal_envelope", false),
            b.Bool("generate.spectral_envelope", false),
            b.Bool("generate.normalize", false)
        );
        if (envelopes.Normalize && !envelopes.Any)
        {
            throw new ConfigException(
                $"{b.File}: field 'generate.normalize' needs generate.temporal_envelope or generate.spectral_envelope"
            );
        }

        var level = LevelScaling.Bind(b, envelopes);
        if (level.Channels is { } levelChannels && channels != 1)
        {
            // generate.level: both makes its own two channels (min-max and absolute); a replicated RGB image has no place.
            throw b.Error(
                "generate.channels",
                $"1 with generate.level: both (which writes {levelChannels} channels: min-max and absolute)",
                channels.ToString(CultureInfo.InvariantCulture),
                b.Scalar("generate.channels")
            );
        }

        var outputRoot = b.OptionalString("generate.output_dir") ?? "data";
        // Datasets are written below the current directory (the workspace) unless the command line says otherwise.
        _ = ConfigPaths.InsideWorkspace(
            outputRoot,
            b.Scalar("generate.output_dir")?.Origin,
            "generate.output_dir",
            Environment.CurrentDirectory
        );

        var spectrogram = BindSpectrogram(b, sampleRate, height, width);
        IReadOnlyList<ParameterSpec> parameters = BindParameters(b);

        var config = new GeneratorConfig
        {
            SourcePath = b.File,
            Size = size,
            SampleRate = sampleRate,
            Duration = duration,
            Seed = seed,
            Sampling = sampling,
            Shuffle = shuffle,
            Height = height,
            Width = width,
            BaseChannels = channels,
            PreEmphasis = preEmphasis,
            Envelopes = envelopes,
            Spectrogram = spectrogram,
            Parameters = parameters,
            OutputRoot = outputRoot,
            Level = level,
        };
        // The image's channels as written (envelope channels and generate.level: both decide them, not generate.channels alone).
        var imageBytes = VimhLimits.ImageBytes(height, width, config.Channels);
        if (imageBytes > VimhLimits.MaxImageBytes)
        {
            throw new ConfigException(
                $"{b.File}: fields 'generate.height' x 'generate.width' x 'generate.channels': {height}x{width}x{config.Channels} = {imageBytes} "
                    + $"bytes per image, expected at most {VimhLimits.MaxImageBytes} (VimhLimits.MaxImageBytes)"
            );
        }

        config.CheckImageFits(b.File);
        if (sampling == SamplingMode.Grid)
        {
            var combinations = config.GridCombinationCount();
            if (combinations != size)
            {
                throw new ConfigException(
                    $"{b.File}: field 'dataset.size': grid sampling yields {combinations} combinations of the parameters' step grids, "
                        + $"so dataset.size must be {combinations}, got {size}"
                );
            }
        }

        return config;
    }

    private static SpectrogramSettings BindSpectrogram(ConfigReader b, int sampleRate, int height, int width)
    {
        var type = b.Choice("stft.type", "stft", "stft", "mel") == "mel" ? SpectrogramType.Mel : SpectrogramType.Stft;
        var nFft = b.Int("stft.n_fft", 512, 2, 1 << 20);
        var nWindow = b.Int("stft.n_window", nFft, 1, nFft);
        var hop = b.Int("stft.hop_length", 64, 1, 1 << 20);
        var windowName = b.Choice("stft.window_type", "rectangular", "rectangular", "hann", "hamming", "blackman");
        var binsPerHarmonic = Number(b, "stft.bins_per_harmonic", ConfigNumber.Float(1.0));
        var freqMin = Number(b, "mel.freq_min", ConfigNumber.Float(40.0));
        var freqMaxRatio = Number(b, "mel.freq_max_ratio", ConfigNumber.Float(0.9));
        if (type == SpectrogramType.Mel)
        {
            var fMax = freqMaxRatio.Value * sampleRate / 2;
            if (!(freqMaxRatio.Value > 0 && freqMaxRatio.Value <= 1) || !(freqMin.Value >= 0 && freqMin.Value < fMax))
            {
                throw new ConfigException(
                    $"{b.File}: fields 'mel.freq_min'/'mel.freq_max_ratio': expected 0 <= freq_min < freq_max_ratio*sr/2 with ratio in (0, 1], "
                        + $"got {freqMin} and {freqMaxRatio}"
                );
            }
        }

        return new SpectrogramSettings(
            type,
            nFft,
            nWindow,
            hop,
            Window.Parse(windowName),
            binsPerHarmonic,
            freqMin,
            freqMaxRatio
        );
    }

    private static List<ParameterSpec> BindParameters(ConfigReader b)
    {
        var map = b.Mapping("synthesizer.parameters")
            ?? throw b.Missing("synthesizer.parameters", "a mapping of parameter specs");
        var synthType = b.OptionalString("synthesizer.type");
        if (synthType is not null and not "simple")
        {
            throw b.Error("synthesizer.type", "'simple' (SimpleSawSynth)", $"'{synthType}'");
        }

        var result = new List<ParameterSpec>();
        foreach ((var name, object node) in map.Entries)
        {
            var path = "synthesizer.parameters." + name;
            if (!SawSynthParameters.Names.Contains(name))
            {
                throw new ConfigException(
                    $"{b.File}: field '{path}': unknown synthesizer parameter '{name}' (expected one of {string.Join(", ", SawSynthParameters.Names)})"
                );
            }

            if (b.Node(path) is ConfigScalar fixedValue)
            {
                var v = ParseNumber(b, path, fixedValue);
                result.Add(new ParameterSpec(name, v, v));
                continue;
            }

            var min = BindEither(b, path, "min_value", "min");
            var max = BindEither(b, path, "max_value", "max");
            var stepNode = b.Scalar(path + ".step");
            ConfigNumber? step = stepNode is null ? null : ParseNumber(b, path + ".step", stepNode);
            var description = b.OptionalString(path + ".description");
            try
            {
                result.Add(new ParameterSpec(name, min, max, step, description));
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"{b.File}: field '{path}': {e.Message}");
            }
        }

        if (result.Count(p => p.IsVarying) > 255)
        {
            throw new ConfigException(
                $"{b.File}: field 'synthesizer.parameters': at most 255 varying parameters fit in a VIMH record"
            );
        }

        return result;
    }

    private static ConfigNumber BindEither(ConfigReader b, string path, string nsmtName, string shortName)
    {
        var a = b.Scalar(path + "." + nsmtName);
        var c = b.Scalar(path + "." + shortName);
        if (a is not null && c is not null)
        {
            throw new ConfigException($"{b.File}: field '{path}': give {nsmtName} or {shortName}, not both");
        }

        var s = a
            ?? c
            ?? throw new ConfigException($"{b.File}: field '{path}.{nsmtName}' is missing (expected a number)");
        return ParseNumber(b, path + "." + (a is not null ? nsmtName : shortName), s);
    }

    /// <summary>Number of points of the full step grid (product of the varying parameters' class counts).</summary>
    public long GridCombinationCount()
    {
        long n = 1;
        foreach (var p in VaryingParameters)
        {
            n = checked(n * p.NumClasses);
        }

        return n;
    }

    /// <summary>NSMT silently writes smaller images when the spectrogram is too small; we refuse up front.</summary>
    internal void CheckImageFits(string file)
    {
        var samples = (int)(Duration * SampleRate);
        var padded = Math.Max(samples, Spectrogram.NFft);
        var frames = 1 + ((padded - Spectrogram.NFft) / Spectrogram.HopLength);
        if (frames < Width)
        {
            throw new ConfigException(
                $"{file}: field 'generate.width': {samples} samples with n_fft={Spectrogram.NFft}, hop_length={Spectrogram.HopLength} "
                    + $"give {frames} frames, fewer than width={Width}"
            );
        }

        if (Spectrogram.Type == SpectrogramType.Stft && (Spectrogram.NFft / 2) + 1 < Height + 1)
        {
            throw new ConfigException(
                $"{file}: field 'generate.height': n_fft={Spectrogram.NFft} gives {(Spectrogram.NFft / 2) + 1} bins; "
                    + $"height={Height} needs {Height + 1} (bin 0, DC, is dropped)"
            );
        }

        if (Spectrogram.Type == SpectrogramType.Mel)
        {
            try
            {
                _ = MelFilterbank.Create(
                    SampleRate,
                    Spectrogram.NFft,
                    Height,
                    Spectrogram.MelFreqMin.Value,
                    Spectrogram.MelFreqMaxRatio.Value * SampleRate / 2
                );
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"{file}: field 'generate.height': {e.Message}");
            }
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{DatasetName} (seed {Seed}, {Sampling})");
}
